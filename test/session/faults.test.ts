import assert from 'node:assert/strict';
import { isAuthError } from '../../src/protocol/errors.js';
import { SessionError } from '../../src/session/errors.js';
import type { TokenChangeKind } from '../../src/session/tokenService.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { FaultProxy } from '../support/faultProxy.js';
import { introspect, refreshGrants, sha256 } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  storedSession,
  tempDir,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

/**
 * A fault-injecting proxy between the session and the real IdP's token endpoint: each failure a
 * refresh can meet on the way, and what the session must do about it.
 */
describe('token lifecycle: token endpoint faults', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let proxy: FaultProxy;
  let w: Window;
  let events: TokenChangeKind[];
  const provider = () => idpProvider(idp);

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
  });
  after(() => idp.close());

  /** Signs in, routes the stored session through a fresh proxy and opens the window under test. */
  async function setUp(timeoutMs = 5_000): Promise<void> {
    const secrets = new MemorySecretStore();
    const lockDir = tempDir('agent-auth-lock-');
    const setup = lifecycleWindow([provider()], { secrets, lockDir });
    const session = await signInThroughIdp(setup.service, 'dev', idp);
    setup.service.dispose();
    proxy = await FaultProxy.start(idp.issuer);
    await pointTokenEndpointAt(setup.store, 'dev', proxy.url(session.endpoints.token_endpoint));
    // random 0: the shortest backoff, so a wait longer than 500 ms can only come from Retry-After.
    w = lifecycleWindow([provider()], { secrets, lockDir, timeoutMs, random: () => 0 });
    await w.service.getAccessToken('dev');
    events = [];
    w.service.onDidChange((e) => events.push(e.kind));
    idp.stats.reset();
  }

  afterEach(async () => {
    addToTally(idp);
    w?.service.dispose();
    await proxy?.close();
  });

  async function assertRefreshedOnce(before: string) {
    const s = await storedSession(w.store, 'dev');
    assert.notEqual(sha256(s.accessToken!), sha256(before));
    assert.equal(refreshGrants(idp), 1, 'one refresh reached the IdP');
    assert.equal((await introspect(idp, s.accessToken!)).active, true);
    assert.deepEqual(events, ['refreshing', 'refreshed']);
  }

  it('retries after a 503 and succeeds', async () => {
    await setUp();
    const before = (await storedSession(w.store, 'dev')).accessToken!;
    proxy.next({ kind: 'status', status: 503, body: 'upstream unavailable' });
    await w.service.refreshNow('dev');
    assert.deepEqual(
      proxy.requests.map((r) => r.fault),
      ['status', 'pass'],
    );
    await assertRefreshedOnce(before);
  });

  it('retries after a connection reset and succeeds', async () => {
    await setUp();
    const before = (await storedSession(w.store, 'dev')).accessToken!;
    proxy.next({ kind: 'reset' });
    await w.service.refreshNow('dev');
    assert.deepEqual(
      proxy.requests.map((r) => r.fault),
      ['reset', 'pass'],
    );
    await assertRefreshedOnce(before);
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    await setUp();
    const before = (await storedSession(w.store, 'dev')).accessToken!;
    proxy.next({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    await w.service.refreshNow('dev');
    const [first, second] = proxy.requests;
    assert.equal(proxy.requests.length, 2);
    assert.ok(second.at - first.at >= 1_000, `retried after ${second.at - first.at} ms; Retry-After said 1 s`);
    await assertRefreshedOnce(before);
  });

  it('does not retry in the foreground sooner than a long Retry-After; the schedule waits for it', async () => {
    await setUp();
    const token = (await storedSession(w.store, 'dev')).accessToken!;
    proxy.next({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    await assert.rejects(w.service.refreshNow('dev'), (e) => isAuthError(e, 'http_status') && e.details.status === 429);
    assert.ok(Date.now() - started < 2_000, 'gave up at once instead of waiting');
    assert.equal(proxy.requests.length, 1, 'asked the rate-limited server only once');
    assert.ok(w.service.state('dev')!.nextRefreshAt! >= started + 30_000, 'next scheduled attempt honours Retry-After');
    assert.equal(sha256((await w.service.getAccessToken('dev')).accessToken), sha256(token));
    assert.deepEqual(events, ['refreshing', 'refreshFailed']);
  });

  it('turns a hung token endpoint into a timeout and keeps the still-valid session', async () => {
    await setUp(300);
    const before = await storedSession(w.store, 'dev');
    proxy.next({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    await assert.rejects(w.service.refreshNow('dev'), (e) => isAuthError(e, 'timeout'));
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    assert.equal(proxy.requests.length, 3, 'three foreground attempts');
    const after = await storedSession(w.store, 'dev');
    assert.equal(after.generation, before.generation);
    assert.equal(sha256(after.refreshToken!), sha256(before.refreshToken!));
    assert.equal(sha256((await w.service.getAccessToken('dev')).accessToken), sha256(before.accessToken!));
    assert.equal((await introspect(idp, before.accessToken!)).active, true);
    assert.deepEqual(events, ['refreshing', 'refreshFailed']);
  });

  it('reports HTML in place of JSON as not_json, without retrying', async () => {
    await setUp();
    const before = await storedSession(w.store, 'dev');
    proxy.next({ kind: 'html' });
    await assert.rejects(
      w.service.refreshNow('dev'),
      (e) => isAuthError(e, 'not_json') && /did not answer with JSON/.test(e.message),
    );
    assert.equal(proxy.requests.length, 1);
    assert.equal((await storedSession(w.store, 'dev')).generation, before.generation);
    assert.equal(sha256((await w.service.getAccessToken('dev')).accessToken), sha256(before.accessToken!));
  });

  it('on invalid_grant marks the session needs-sign-in, clears the refresh token and keeps handing out the access token', async () => {
    await setUp();
    const before = await storedSession(w.store, 'dev');
    proxy.next({ kind: 'invalidGrant' });
    await assert.rejects(w.service.refreshNow('dev'), (e) => e instanceof SessionError && e.code === 'needs_sign_in');
    const after = await storedSession(w.store, 'dev');
    assert.equal(after.refreshToken, undefined);
    assert.ok(after.needsSignIn, 'needsSignIn recorded');
    assert.equal(sha256(after.accessToken!), sha256(before.accessToken!));
    assert.deepEqual(events, ['refreshing', 'needsSignIn']);
    assert.equal(
      sha256((await w.service.getAccessToken('dev')).accessToken),
      sha256(before.accessToken!),
      'the access token lasts until it expires',
    );
    await assert.rejects(
      w.service.getAccessToken('dev', { forceRefresh: true }),
      (e) => e instanceof SessionError && e.code === 'needs_sign_in',
    );
    assert.equal(proxy.requests.length, 1, 'a dead refresh token is not presented again');
    assert.equal(refreshGrants(idp), 0);
  });
});
