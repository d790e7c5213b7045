import assert from 'node:assert/strict';
import { discover } from '../../src/protocol/discovery.js';
import type { Endpoints } from '../../src/protocol/endpoints.js';
import { AuthError, type AuthErrorCode } from '../../src/protocol/errors.js';
import { boundedFetch } from '../../src/protocol/http.js';
import { refreshTokens } from '../../src/protocol/tokens.js';
import { RecordingLogger } from '../support/recordingLogger.js';
import { type Handler, ScriptedServer } from '../support/scriptedServer.js';

/**
 * The bad-input matrix for server responses: every broken or hostile answer we know of, each
 * with the specific error it must become. Nothing here may throw anything but an AuthError.
 */
const CANARY = 'CANARY-access-token-7f3a';

describe('protocol: broken and hostile server responses', function () {
  const server = new ScriptedServer();
  const log = new RecordingLogger();
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 1_000, maxResponseBytes: 64 * 1024 });
  let endpoints: Endpoints;

  before(async () => {
    await server.start();
    endpoints = { issuer: server.origin, token_endpoint: `${server.origin}/token` };
  });
  after(() => server.stop());
  afterEach(() => assert.equal(log.text().includes(CANARY), false, 'a token reached the log'));

  const tokenOk = { access_token: CANARY, token_type: 'Bearer', expires_in: 300 };
  const html =
    (status: number): Handler =>
    (_q, res) =>
      res.writeHead(status, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');

  const tokenCases: [string, Handler, AuthErrorCode, RegExp, Partial<AuthError['details']>?][] = [
    ['an HTML error page (502)', html(502), 'http_status', /HTTP 502 \(server error\)/, { status: 502 }],
    ['an HTML page with 200', html(200), 'not_json', /did not answer with JSON \(HTTP 200, text\/html\)/],
    [
      'a missing access_token',
      server.json(200, { token_type: 'Bearer', expires_in: 60 }),
      'invalid_response',
      /access_token/,
    ],
    ['an empty access_token', server.json(200, { ...tokenOk, access_token: '' }), 'invalid_response', /access_token/],
    [
      'expires_in 0',
      server.json(200, { ...tokenOk, expires_in: 0 }),
      'invalid_response',
      /expires_in must be positive/,
    ],
    ['a negative expires_in', server.json(200, { ...tokenOk, expires_in: -30 }), 'invalid_response', /expires_in/],
    [
      'a huge expires_in',
      server.json(200, { ...tokenOk, expires_in: 1e12 }),
      'invalid_response',
      /expires_in must be at most/,
    ],
    [
      'a non-numeric expires_in',
      server.json(200, { ...tokenOk, expires_in: 'soon' }),
      'invalid_response',
      /expires_in/,
    ],
    ['a non-Bearer token_type', server.json(200, { ...tokenOk, token_type: 'mac' }), 'unsupported', /token_type/],
    ['a JSON array', server.json(200, [tokenOk]), 'invalid_response', /top level object/],
    [
      'deeply nested JSON',
      (_q, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(60_000) + ']'.repeat(4_000)),
      'not_json',
      /JSON/,
    ],
    [
      'an oversized body (declared)',
      (_q, res) =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }).end(),
      'too_large',
      /at most 65536 are accepted/,
    ],
    [
      'an oversized body (streamed)',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"access_token":"${'x'.repeat(100_000)}"}`);
      },
      'too_large',
      /more than 65536 bytes/,
    ],
    [
      'invalid_grant',
      server.json(400, { error: 'invalid_grant', error_description: 'grant revoked' }),
      'oauth_error',
      /"invalid_grant": grant revoked/,
      { oauthError: 'invalid_grant', status: 400 },
    ],
    [
      'an empty 400 (Glewlwyd, reused refresh token)',
      (_q, res) => res.writeHead(400, { 'content-length': '0' }).end(),
      'oauth_error',
      /refused the refresh token \(HTTP 400 without an error code\)/,
      { oauthError: 'invalid_grant', status: 400 },
    ],
    ['an HTML 400 (a proxy)', html(400), 'http_status', /HTTP 400/, { status: 400 }],
    [
      'invalid_client',
      server.json(401, { error: 'invalid_client' }),
      'oauth_error',
      /"invalid_client"/,
      { oauthError: 'invalid_client' },
    ],
    [
      '503 with a JSON error body',
      server.json(503, { error: 'temporarily_unavailable' }),
      'http_status',
      /HTTP 503 \(server error\)/,
      { status: 503 },
    ],
    [
      '429 with Retry-After',
      (_q, res) => res.writeHead(429, { 'retry-after': '7' }).end(),
      'http_status',
      /HTTP 429 \(rate limited\)/,
      { retryAfterSeconds: 7 },
    ],
    [
      'a redirect to another host',
      (_q, res) => res.writeHead(302, { location: 'https://evil.example/token' }).end(),
      'http_status',
      /HTTP 302/,
    ],
    [
      'a reset connection',
      (req) => req.socket.destroy(),
      'network',
      /Could not reach http:\/\/127\.0\.0\.1:\d+\/token/,
    ],
    ['a hang', () => undefined, 'timeout', /did not answer within 1 s/],
  ];

  for (const [what, handler, code, message, details] of tokenCases) {
    it(`refresh: ${what} -> ${code}`, async () => {
      server.handler = handler;
      const err = await refreshTokens({ endpoints, clientId: 'c', fetch }, 'rt', Date.now).then(
        () => assert.fail('should have failed'),
        (e) => e,
      );
      assert.ok(err instanceof AuthError, `expected AuthError, got ${err}`);
      assert.equal(err.code, code, err.message);
      assert.match(err.message, message);
      for (const [k, v] of Object.entries(details ?? {}))
        assert.equal(err.details[k as keyof AuthError['details']], v, k);
    });
  }

  it('refresh: an ID token issued to another client is rejected', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const idToken = `${b64({ alg: 'RS256' })}.${b64({ iss: server.origin, sub: 'alice', aud: 'someone-else', iat: now, exp: now + 60 })}.c2ln`;
    server.handler = server.json(200, { ...tokenOk, id_token: idToken });
    const err = await refreshTokens({ endpoints, clientId: 'c', fetch }, 'rt', Date.now).then(
      () => assert.fail(),
      (e) => e,
    );
    assert.equal(err.code, 'invalid_response', err.message);
    assert.match(err.message, /aud/);
  });

  it('transient errors are the retryable ones', () => {
    assert.equal(new AuthError('http_status', '', { status: 503 }).transient, true);
    assert.equal(new AuthError('http_status', '', { status: 429 }).transient, true);
    assert.equal(new AuthError('network', '').transient, true);
    assert.equal(new AuthError('oauth_error', '', { oauthError: 'invalid_grant', status: 400 }).transient, false);
    assert.equal(new AuthError('invalid_response', '').transient, false);
  });

  it('refresh: a valid response gives an absolute expiry and keeps the token out of the log', async () => {
    server.handler = server.json(200, { ...tokenOk, refresh_token: 'rt-2' });
    const t = await refreshTokens({ endpoints, clientId: 'c', fetch }, 'rt', () => 1_000);
    assert.deepEqual([t.accessToken, t.refreshToken, t.expiresAt], [CANARY, 'rt-2', 301_000]);
    assert.match(log.text(), /HTTP POST http:\/\/127\.0\.0\.1:\d+\/token -> 200 \(\d+ ms, \d+ B\)/);
  });

  it('refresh: a missing expires_in is assumed to be an hour, and says so', async () => {
    server.handler = server.json(200, { access_token: CANARY, token_type: 'bearer' });
    const t = await refreshTokens({ endpoints, clientId: 'c', fetch }, 'rt', () => 0);
    assert.deepEqual([t.expiresAt, t.expiryAssumed], [3_600_000, true]);
  });

  describe('discovery', () => {
    const meta = () => ({
      issuer: server.origin,
      authorization_endpoint: `${server.origin}/auth`,
      token_endpoint: `${server.origin}/token`,
      code_challenge_methods_supported: ['S256'],
    });
    const discoverHere = () => discover({ issuer: server.origin }, { fetch, log });
    const expectError = async (code: AuthErrorCode, message: RegExp) => {
      const err = await discoverHere().then(
        () => assert.fail('should have failed'),
        (e) => e,
      );
      assert.ok(err instanceof AuthError, String(err));
      assert.equal(err.code, code, err.message);
      assert.match(err.message, message);
    };

    it('falls back from OpenID Connect to RFC 8414 metadata', async () => {
      server.handler = (req, res) =>
        req.url === '/.well-known/oauth-authorization-server'
          ? server.json(200, meta())(req, res, '')
          : res.writeHead(404).end();
      const e = await discoverHere();
      assert.equal(e.token_endpoint, `${server.origin}/token`);
      assert.match(log.text(), /RFC 8414 metadata/);
    });

    it('rejects metadata for another issuer (mix-up)', async () => {
      server.handler = server.json(200, { ...meta(), issuer: 'http://127.0.0.1:1' });
      await expectError(
        'issuer_mismatch',
        /names the issuer "http:\/\/127\.0\.0\.1:1", not ".*" as configured\. If that is the server you mean, set "issuer" to "http:\/\/127\.0\.0\.1:1"\.$/,
      );
    });

    it('rejects endpoints on a non-loopback http host', async () => {
      server.handler = server.json(200, { ...meta(), token_endpoint: 'http://evil.example/token' });
      await expectError('insecure_endpoint', /token endpoint .* uses http: on a non-loopback host/);
    });

    it('rejects metadata without a token endpoint', async () => {
      server.handler = server.json(200, { issuer: server.origin });
      await expectError('invalid_response', /token_endpoint/);
    });

    it('says so when neither well-known document exists', async () => {
      server.handler = html(404);
      await expectError('unsupported', /publishes neither OpenID Connect nor RFC 8414 metadata/);
    });

    it('rejects an https issuer advertising http endpoints (downgrade)', async () => {
      // An https peer needs a certificate we cannot make trusted here; this fetch answers for it.
      const httpsIssuer = 'https://login.example';
      const fakeTls = async (url: string) =>
        url === `${httpsIssuer}/.well-known/openid-configuration`
          ? new Response(JSON.stringify({ issuer: httpsIssuer, token_endpoint: 'http://127.0.0.1/token' }), {
              headers: { 'content-type': 'application/json' },
            })
          : new Response('', { status: 404 });
      const err = await discover({ issuer: httpsIssuer }, { fetch: fakeTls, log }).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'insecure_endpoint');
      assert.match(err.message, /uses http: although the issuer uses https:/);
    });

    it('refuses a plain-http issuer that is not loopback before sending anything', async () => {
      const before = server.requests.length;
      const err = await discover({ issuer: 'http://login.example' }, { fetch, log }).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'insecure_endpoint');
      assert.equal(server.requests.length, before);
    });

    it('RFC 9728: a resource without authorization servers is reported', async () => {
      server.handler = (req, res) =>
        req.url === '/.well-known/oauth-protected-resource/api'
          ? server.json(200, { resource: `${server.origin}/api` })(req, res, '')
          : res.writeHead(404).end();
      const err = await discover({ resource: `${server.origin}/api` }, { fetch, log }).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'unsupported');
      assert.match(err.message, /names no authorization server/);
    });

    it('RFC 9728: metadata for another resource is rejected', async () => {
      server.handler = server.json(200, {
        resource: 'https://other.example/api',
        authorization_servers: [server.origin],
      });
      const err = await discover({ resource: `${server.origin}/api` }, { fetch, log }).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'issuer_mismatch', err.message);
      assert.equal(
        err.message,
        `Protected-resource discovery at ${server.origin}/api: its "resource" is "https://other.example/api", expected "${server.origin}/api".`,
      );
    });
  });
});
