import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Agent, type Dispatcher, fetch as undiciFetch, ProxyAgent } from 'undici';
import { AuthError, type AuthErrorCode } from '../../src/protocol/errors.js';
import { boundedFetch, type FetchLike } from '../../src/protocol/http.js';
import { createPki, type KeyAndCert, TEST_IDP_HOST, type TestPki } from '../support/pki.js';
import { type LoggingProxy, startLoggingProxy } from '../support/loggingProxy.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/**
 * What a user reads when TLS or a proxy stands in the way, against real peers: HTTPS servers with
 * certificates from a private CA (untrusted, expired, for another name, self-signed) and a real
 * forward proxy (proxy-chain) with and without Basic authentication. undici's ProxyAgent is what
 * VS Code's patched fetch uses in the extension host.
 */
describe('protocol: certificate and proxy failures say what to do', function () {
  this.timeout(20_000);
  let pki: TestPki;
  const servers: Server[] = [];
  const origins: Record<string, string> = {};
  let proxy: LoggingProxy;
  let authProxy: LoggingProxy;
  let refusedPort: number;
  const log = new RecordingLogger();

  async function serve(name: string, pair: KeyAndCert, chain = false): Promise<void> {
    const server = createHttpsServer({ key: pair.key, cert: chain ? pair.cert + pki.ca.cert : pair.cert }, (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.2', r));
    servers.push(server);
    origins[name] = `https://127.0.0.2:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    pki = createPki({ names: [TEST_IDP_HOST], ips: ['127.0.0.2'] });
    await serve('valid', pki.server);
    await serve('chain', pki.server, true);
    await serve('expired', pki.expired);
    await serve('otherName', pki.otherName);
    await serve('selfSigned', pki.selfSigned);
    proxy = await startLoggingProxy({ hosts: { [TEST_IDP_HOST]: '127.0.0.2' } });
    authProxy = await startLoggingProxy({
      hosts: { [TEST_IDP_HOST]: '127.0.0.2' },
      credentials: { username: 'proxy-user', password: 'p@ss w0rd' },
    });
    // A port that was just free: nothing listens there.
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    refusedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });
  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await proxy?.close();
    await authProxy?.close();
    pki?.remove();
  });

  /** fetch through `dispatcher` (undici's), bounded as the extension bounds the extension host's. */
  const via = (dispatcher?: Dispatcher): FetchLike =>
    boundedFetch({
      fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
      log,
      timeoutMs: 5_000,
    });
  const trustingCa = () => new Agent({ connect: { ca: pki.ca.cert } });

  async function failure(fetch: FetchLike, url: string): Promise<AuthError> {
    const err = await fetch(url, { method: 'GET' }).then(
      () => assert.fail(`${url} should have failed`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthError, `expected an AuthError, got ${String(err)}`);
    return err;
  }

  function expect(err: AuthError, code: AuthErrorCode, message: RegExp, transient: boolean): void {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /fetch failed/);
    assert.equal(err.transient, transient, `transient for ${err.message}`);
  }

  it('a server the machine trusts answers (the control for the cases below)', async () => {
    const res = await via(trustingCa())(`${origins.valid}/`, { method: 'GET' });
    assert.equal(res.status, 200);
  });

  it('a certificate from a CA the machine does not trust (leaf only) -> certificate, not trusted', async () => {
    const err = await failure(via(), `${origins.valid}/`);
    expect(
      err,
      'certificate',
      /^The certificate of 127\.0\.0\.2 is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. .*trusted certificates.*"Certificate not trusted" in the Agent Auth README/,
      false,
    );
  });

  it("the same with Node's own fetch (the global fetch outside VS Code)", async () => {
    const err = await failure(boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 }), `${origins.valid}/`);
    expect(err, 'certificate', /is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/, false);
  });

  it('an untrusted CA sent along with the chain -> certificate, not trusted', async () => {
    expect(
      await failure(via(), `${origins.chain}/`),
      'certificate',
      /is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/,
      false,
    );
  });

  it('a self-signed certificate -> certificate, not trusted', async () => {
    expect(
      await failure(via(), `${origins.selfSigned}/`),
      'certificate',
      /is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      false,
    );
  });

  it('an expired certificate from a trusted CA -> certificate, expired', async () => {
    expect(
      await failure(via(trustingCa()), `${origins.expired}/`),
      'certificate',
      /has expired or is not valid yet \(CERT_HAS_EXPIRED\)\. Check this computer's clock/,
      false,
    );
  });

  it("a certificate for another name -> certificate, other host name, without the certificate's own names", async () => {
    const err = await failure(via(trustingCa()), `${origins.otherName}/`);
    expect(err, 'certificate', /was issued for another host name \(ERR_TLS_CERT_ALTNAME_INVALID\)/, false);
    assert.doesNotMatch(err.message, /other\.agent-auth\.test/, "the server's text reached the message");
  });

  it('a proxy that wants credentials, asked without them -> proxy_auth (407)', async () => {
    const before = authProxy.log.length;
    const err = await failure(
      via(new ProxyAgent({ uri: authProxy.url, requestTls: { ca: pki.ca.cert } })),
      `https://${TEST_IDP_HOST}:${port(origins.valid)}/`,
    );
    expect(
      err,
      'proxy_auth',
      /^The proxy on the way to idp\.agent-auth\.test requires authentication \(HTTP 407\)\. .*http:\/\/user:password@host:port.*"Proxy authentication" in the Agent Auth README/,
      false,
    );
    assert.equal(err.details.status, 407);
    assert.deepEqual(
      authProxy.log.slice(before).map((e) => [e.method, e.auth, e.outcome]),
      [['CONNECT', 'none', '407']],
    );
  });

  it('the same proxy with the credentials in its URL lets the request through', async () => {
    const before = authProxy.log.length;
    const res = await via(new ProxyAgent({ uri: authProxy.urlWithCredentials!, requestTls: { ca: pki.ca.cert } }))(
      `https://${TEST_IDP_HOST}:${port(origins.valid)}/`,
      { method: 'GET' },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      authProxy.log.slice(before).map((e) => [e.method, e.target, e.auth, e.outcome]),
      [['CONNECT', `${TEST_IDP_HOST}:${port(origins.valid)}`, 'accepted', 'forwarded']],
    );
  });

  it('wrong proxy credentials -> proxy_auth', async () => {
    const wrong = authProxy.url.replace('http://', 'http://proxy-user:nope@');
    expect(
      await failure(via(new ProxyAgent({ uri: wrong })), `https://${TEST_IDP_HOST}:${port(origins.valid)}/`),
      'proxy_auth',
      /requires authentication \(HTTP 407\)/,
      false,
    );
  });

  it("a proxy that is not running -> network, naming the proxy's address", async () => {
    const err = await failure(
      via(new ProxyAgent({ uri: `http://127.0.0.1:${refusedPort}` })),
      `https://${TEST_IDP_HOST}:${port(origins.valid)}/`,
    );
    expect(
      err,
      'network',
      new RegExp(
        `^Could not connect to the proxy at 127\\.0\\.0\\.1:${refusedPort} on the way to idp\\.agent-auth\\.test \\(ECONNREFUSED\\)\\. .*"Proxy required" in the Agent Auth README`,
      ),
      true,
    );
  });

  it('a proxy that refuses the target (403) -> network, naming the status and http.noProxy', async () => {
    const before = proxy.log.length;
    const err = await failure(via(new ProxyAgent({ uri: proxy.url })), 'https://elsewhere.agent-auth.test/');
    expect(
      err,
      'network',
      /^The proxy refused the connection to elsewhere\.agent-auth\.test \(HTTP 403\)\. .*http\.noProxy.*"Proxy required"/,
      true,
    );
    assert.deepEqual(
      proxy.log.slice(before).map((e) => [e.method, e.target, e.outcome]),
      [['CONNECT', 'elsewhere.agent-auth.test:443', '403']],
    );
  });

  it('a server that is not running, without a proxy -> the usual "could not reach"', async () => {
    const err = await failure(via(), `https://127.0.0.2:${refusedPort}/token`);
    expect(
      err,
      'network',
      new RegExp(`^Could not reach https://127\\.0\\.0\\.2:${refusedPort}/token \\(ECONNREFUSED\\)\\.$`),
      true,
    );
  });

  it('a host name only the proxy knows, asked directly -> network, name not resolved, set http.proxy', async () => {
    const err = await failure(via(trustingCa()), `https://${TEST_IDP_HOST}:${port(origins.valid)}/`);
    expect(
      err,
      'network',
      /^The host name idp\.agent-auth\.test could not be resolved \((ENOTFOUND|EAI_AGAIN)\)\. .*set http\.proxy.*http\.noProxy.*"Proxy required"/,
      true,
    );
  });

  it('the same name through the proxy reaches the server, and the proxy logged the tunnel', async () => {
    const before = proxy.log.length;
    const res = await via(new ProxyAgent({ uri: proxy.url, requestTls: { ca: pki.ca.cert } }))(
      `https://${TEST_IDP_HOST}:${port(origins.valid)}/x`,
      { method: 'GET' },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      proxy.log.slice(before).map((e) => [e.method, e.target]),
      [['CONNECT', `${TEST_IDP_HOST}:${port(origins.valid)}`]],
    );
  });
});

const port = (origin: string) => new URL(origin).port;
