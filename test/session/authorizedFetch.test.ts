import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchWithToken } from '../../src/session/consumers/authorizedFetch.js';
import { RESOURCE_PATH, startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants, revokeAtIdp, sha256 } from '../support/idpChecks.js';
import { JumpingClock } from '../support/jumpingClock.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, storedSession, type Window } from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

/**
 * A tiny API on loopback that checks bearer tokens by introspection at the IdP, refuses the
 * tokens the test marks, and records what each request carried (token hash, body).
 */
class TinyApi {
  readonly requests: { token: string; body: string }[] = [];
  /** Token hashes to refuse even when the IdP still accepts them ('*': every token). */
  readonly refuse = new Set<string>();
  url = '';
  private server!: Server;

  constructor(private readonly idp: TestIdp) {}

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      this.requests.push({ token: sha256(token), body });
      const ok = !this.refuse.has('*') && !this.refuse.has(sha256(token)) && (await introspect(this.idp, token)).active;
      res
        .writeHead(ok ? 200 : 401, ok ? {} : { 'www-authenticate': 'Bearer error="invalid_token"' })
        .end(ok ? 'ok' : '');
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/work`;
    return this;
  }

  stop(): Promise<unknown> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

/** A streamed body: it can be read once, so a retry must build a new one. */
const streamed = (text: string) =>
  ({
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(text));
        c.close();
      },
    }),
    duplex: 'half',
  }) as RequestInit;

describe('token lifecycle: fetchWithToken', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let clock: JumpingClock;
  let w: Window;
  let api: TinyApi;
  const getToken = () => w.service.getAccessToken.bind(w.service);

  before(async () => {
    idp = await startTestIdp({
      host: '127.0.0.2',
      accessTokenTtl: 60,
      rotateRefreshTokens: true,
      resourceServer: true,
    });
  });
  after(() => idp.close());
  afterEach(async () => {
    addToTally(idp);
    w.service.dispose();
    await api?.stop();
  });

  async function signedIn(patch: { resource?: string; issuer?: string } = {}) {
    clock = new JumpingClock();
    w = lifecycleWindow([idpProvider(idp, patch)], { secrets: new MemorySecretStore(), clock });
    await signInThroughIdp(w.service, 'dev', idp);
    // Older than the window in which a forced refresh hands back the token just obtained.
    clock.jump(3_000);
    idp.stats.reset();
  }

  it('on a 401 refreshes once and sends again with a new token and a re-created body', async () => {
    await signedIn();
    api = await new TinyApi(idp).start();
    const first = (await storedSession(w.store, 'dev')).accessToken!;
    api.refuse.add(sha256(first));
    let bodies = 0;
    const res = await fetchWithToken(getToken(), globalThis.fetch, 'dev', api.url, () =>
      streamed(`payload ${++bodies}`),
    );
    assert.equal(res.status, 200);
    assert.equal(bodies, 2);
    assert.deepEqual(
      api.requests.map((r) => r.body),
      ['payload 1', 'payload 2'],
    );
    const [a, b] = api.requests;
    assert.equal(a.token, sha256(first));
    assert.equal(b.token, sha256((await storedSession(w.store, 'dev')).accessToken!));
    assert.notEqual(a.token, b.token);
    assert.equal(refreshGrants(idp), 1);
  });

  it('replaces a rejected token even when it was obtained a moment ago', async () => {
    await signedIn();
    // The token just came from a refresh, and the API already refuses it (revoked at once, say).
    await w.service.getAccessToken('dev', { forceRefresh: true });
    const fresh = (await storedSession(w.store, 'dev')).accessToken!;
    api = await new TinyApi(idp).start();
    api.refuse.add(sha256(fresh));
    const res = await fetchWithToken(getToken(), globalThis.fetch, 'dev', api.url);
    assert.equal(res.status, 200);
    assert.deepEqual(
      api.requests.map((r) => r.token),
      [sha256(fresh), sha256((await storedSession(w.store, 'dev')).accessToken!)],
    );
    assert.equal(refreshGrants(idp), 2);
  });

  it('a rejected token that was already replaced costs no second refresh', async () => {
    await signedIn();
    const old = await w.service.getAccessToken('dev');
    await w.service.getAccessToken('dev', { forceRefresh: true });
    const again = await w.service.getAccessToken('dev', { rejectedToken: old.accessToken });
    assert.notEqual(again.accessToken, old.accessToken);
    assert.equal(again.accessToken, (await storedSession(w.store, 'dev')).accessToken);
    assert.equal(refreshGrants(idp), 1);
  });

  it('retries exactly once: a second 401 goes back to the caller', async () => {
    await signedIn();
    api = await new TinyApi(idp).start();
    api.refuse.add('*');
    const res = await fetchWithToken(getToken(), globalThis.fetch, 'dev', api.url, () => streamed('x'));
    assert.equal(res.status, 401);
    assert.equal(api.requests.length, 2);
    assert.equal(refreshGrants(idp), 1);
  });

  it('recovers from a token revoked at the IdP, against the IdP’s own protected resource', async () => {
    await signedIn({ issuer: undefined, resource: `${idp.issuer}${RESOURCE_PATH}` });
    await revokeAtIdp(idp, (await storedSession(w.store, 'dev')).accessToken!, 'access_token');
    const res = await fetchWithToken(getToken(), globalThis.fetch, 'dev', `${idp.issuer}${RESOURCE_PATH}/whoami`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { sub: string }).sub, 'alice');
    assert.equal(refreshGrants(idp), 1);
  });
});
