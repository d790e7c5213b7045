import assert from 'node:assert/strict';
import { RESOURCE_PATH, startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, storedSession } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import type { ProviderConfig } from '../../src/session/config/config.js';

/**
 * RFC 8707 (and the MCP authorization spec): the resource indicators of a session go on every
 * token request — the code exchange, each device-code poll and each refresh — not only on the
 * authorization request. Observed on the wire, and proven by the IdP's resource server accepting
 * the refreshed token for that resource.
 */
describe('token lifecycle: RFC 8707 resource on every token request', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let api: string;
  before(async () => {
    idp = await startTestIdp({ resourceServer: true });
    api = `${idp.issuer}${RESOURCE_PATH}`;
  });
  after(() => idp.close());

  /** A window whose fetch records each POST body it sends (grant type and resource indicators). */
  function recordingWindow(provider: ProviderConfig) {
    const posts: { url: string; grant?: string; resources: string[] }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (init?.method === 'POST' && init.body) {
        const body = new URLSearchParams(init.body as string | URLSearchParams);
        posts.push({
          url: input instanceof Request ? input.url : String(input),
          grant: body.get('grant_type') ?? undefined,
          resources: body.getAll('resource'),
        });
      }
      return globalThis.fetch(input, init);
    };
    return { w: lifecycleWindow([provider], { secrets: new MemorySecretStore(), fetch }), posts };
  }

  const whoami = (token: string) =>
    globalThis.fetch(`${api}/whoami`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('an issuer-configured provider with "resources": code exchange and refresh carry it', async () => {
    const { w, posts } = recordingWindow(idpProvider(idp, { resources: [api] }));
    await signInThroughIdp(w.service, 'dev', idp);
    const refreshed = await w.service.refreshNow('dev');
    const grants = posts.filter((p) => p.grant);
    assert.deepEqual(
      grants.map((p) => [p.grant, p.resources]),
      [
        ['authorization_code', [api]],
        ['refresh_token', [api]],
      ],
    );
    assert.equal(await whoami(refreshed.accessToken!), 200);
    w.service.dispose();
  });

  it('a resource-configured provider (RFC 9728): every device-code poll and the refresh carry it', async () => {
    const { w, posts } = recordingWindow(idpProvider(idp, { issuer: undefined, resource: api }));
    const approvals: Promise<void>[] = [];
    await w.service.signIn('dev', {
      preferredFlow: 'deviceCode',
      openBrowser: async () => false,
      onUserCode: (p) => void approvals.push(idp.approveDevice(p.userCode)),
      signal: new AbortController().signal,
    });
    await Promise.all(approvals);
    const refreshed = await w.service.refreshNow('dev');
    const polls = posts.filter((p) => p.grant === 'urn:ietf:params:oauth:grant-type:device_code');
    assert.ok(polls.length >= 1);
    for (const p of polls) assert.deepEqual(p.resources, [api]);
    assert.deepEqual(
      posts.filter((p) => p.grant === 'refresh_token').map((p) => p.resources),
      [[api]],
    );
    assert.equal(await whoami(refreshed.accessToken!), 200);
    w.service.dispose();
  });

  it('a session stored before "resources" existed refreshes with its "resource"', async () => {
    const provider = idpProvider(idp, { issuer: undefined, resource: api });
    const { w, posts } = recordingWindow(provider);
    await signInThroughIdp(w.service, 'dev', idp);
    const { resources: _, ...older } = await storedSession(w.store, 'dev');
    await w.store.write({ ...older, generation: older.generation + 1 });
    posts.length = 0;
    const refreshed = await w.service.refreshNow('dev');
    assert.deepEqual(
      posts.filter((p) => p.grant).map((p) => p.resources),
      [[api]],
    );
    assert.equal(await whoami(refreshed.accessToken!), 200);
    w.service.dispose();
  });
});
