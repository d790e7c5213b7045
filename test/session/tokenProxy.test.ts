import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTokenProxy, type TokenProxy } from '../../src/session/consumers/tokenProxy.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import {
  MCP_INTROSPECTION_CLIENT,
  startTestMcpServer,
  type TestMcpServer,
  type WhoAmI,
} from '../fixtures/mcpServer.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/**
 * The MCP token forwarder against a real MCP server (@modelcontextprotocol/sdk, Streamable HTTP)
 * that checks every bearer token by introspection at the real test IdP, driven by the SDK's own
 * client as VS Code's MCP client would drive it: a header fixed when the connection starts.
 */
const TTL_S = 3;

describe('MCP token forwarder', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let mcp: TestMcpServer;
  let w: Window;
  let proxy: TokenProxy;
  let log: RecordingLogger;
  const clients: Client[] = [];

  before(async () => {
    idp = await startTestIdp({
      host: '127.0.0.2',
      accessTokenTtl: TTL_S,
      extraClients: [{ ...MCP_INTROSPECTION_CLIENT }],
    });
    mcp = await startTestMcpServer({ issuer: idp.issuer });
  });
  after(async () => {
    await mcp.close();
    await idp.close();
  });
  beforeEach(async () => {
    w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore() });
    await signInThroughIdp(w.service, 'dev', idp);
    log = new RecordingLogger();
    proxy = await startTokenProxy({
      getToken: (id, o) => w.service.getAccessToken(id, o),
      fetch: (u, i) => globalThis.fetch(u, i),
      log,
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await proxy.close();
    w.service.dispose();
  });

  async function connect(url: string, bearer: string): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
      }),
    );
    return client;
  }
  const whoami = async (c: Client) => {
    const r = (await c.callTool({ name: 'whoami', arguments: {} })) as {
      content: { text: string }[];
      isError?: boolean;
    };
    assert.ok(!r.isError, `whoami failed: ${r.content[0]?.text}`);
    return JSON.parse(r.content[0].text) as WhoAmI;
  };

  it('keeps one MCP session working across three token lifetimes, each call with an unexpired token', async () => {
    const c = await connect(proxy.route('whoami', { url: mcp.url, providerId: 'dev' }), proxy.key);
    assert.deepEqual(
      (await c.listTools()).tools.map((t) => t.name),
      ['whoami'],
    );
    const rejectedBefore = { ...mcp.stats.rejected };
    const calls: (WhoAmI & { at: number })[] = [];
    const started = Date.now();
    const distinct = () => new Set(calls.map((x) => x.token)).size;
    // Three whole token lifetimes, and at least three refreshes within them.
    while (Date.now() - started < 3 * TTL_S * 1000 || distinct() < 4) {
      assert.ok(Date.now() - started < 20_000, `only ${distinct()} distinct tokens in 20 s`);
      const at = Date.now();
      calls.push({ ...(await whoami(c)), at });
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(new Set(calls.map((x) => x.session)).size, 1, 'one MCP session throughout');
    assert.ok(calls.every((x) => x.sub && x.client_id === idp.clientId));
    for (const x of calls)
      assert.ok(x.exp * 1000 > x.at - 1000, `a call at ${x.at} carried a token that expired at ${x.exp * 1000}`);
    assert.deepEqual(mcp.stats.rejected, rejectedBefore, 'the server never answered 401');
  });

  it('a token fixed in the client headers (what VS Code does without the forwarder) is refused once it expires', async () => {
    const { accessToken } = await w.service.getAccessToken('dev');
    const c = await connect(mcp.url, accessToken);
    const first = await whoami(c);
    await new Promise((r) => setTimeout(r, Math.max(0, first.exp * 1000 - Date.now()) + 1_100));
    await assert.rejects(whoami(c), /401|invalid_token|Unauthorized/i);
  });

  it('refuses a client without the key, and never forwards its request', async () => {
    const url = proxy.route('whoami', { url: mcp.url, providerId: 'dev' });
    const accepted = mcp.stats.accepted;
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${proxy.key}x`]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth && { authorization: auth }) },
        body: '{}',
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('www-authenticate'), null);
    }
    assert.equal(
      (await fetch(url.replace(/whoami$/, 'other'), { headers: { authorization: `Bearer ${proxy.key}` } })).status,
      404,
    );
    assert.equal(mcp.stats.accepted, accepted);
  });

  it('answers 503 with the reason, and no OAuth challenge, when the provider is signed out', async () => {
    const url = proxy.route('whoami', { url: mcp.url, providerId: 'dev' });
    await w.service.signOut('dev');
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${proxy.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('www-authenticate'), null);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /sign in/i);
    assert.ok(!log.text().includes(proxy.key));
  });
});
