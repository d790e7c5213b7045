import assert from 'node:assert/strict';
import type { TokenChange } from '../../src/session/tokenService.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { FaultProxy } from '../support/faultProxy.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

/**
 * Every change a listener (status bar, terminals, language servers) is told about, in order. Each
 * test has a window of its own (so any one runs alone, --grep); the IdP and the proxy are shared.
 */
describe('token lifecycle: change events', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let proxy: FaultProxy;
  let w: Window;
  let events: TokenChange[];

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
    proxy = await FaultProxy.start(idp.issuer);
  });
  beforeEach(() => {
    w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), random: () => 0 });
    events = [];
    w.service.onDidChange((e) => events.push(e));
  });
  afterEach(() => w.service.dispose());
  after(async () => {
    addToTally(idp);
    await proxy.close();
    await idp.close();
  });

  /** Signs in through the IdP, with refreshes going through the fault proxy. */
  async function signIn(): Promise<void> {
    const s = await signInThroughIdp(w.service, 'dev', idp);
    await pointTokenEndpointAt(w.store, 'dev', proxy.url(s.endpoints.token_endpoint));
  }

  /** The kinds emitted while `action` ran, and their messages. */
  async function during(
    action: () => Promise<unknown>,
  ): Promise<{ kinds: string[]; messages: (string | undefined)[] }> {
    events.length = 0;
    await action().catch(() => undefined);
    return { kinds: events.map((e) => e.kind), messages: events.map((e) => e.message) };
  }

  it('signedIn on sign-in', async () => {
    assert.deepEqual((await during(signIn)).kinds, ['signedIn']);
  });

  it('refreshing, then refreshed', async () => {
    await signIn();
    assert.deepEqual((await during(() => w.service.refreshNow('dev'))).kinds, ['refreshing', 'refreshed']);
  });

  it('refreshing, then refreshFailed with the reason, when every attempt fails', async () => {
    await signIn();
    proxy.next(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
    const { kinds, messages } = await during(() => w.service.refreshNow('dev'));
    assert.deepEqual(kinds, ['refreshing', 'refreshFailed']);
    assert.match(messages[1]!, /HTTP 503/);
  });

  it('refreshing, then needsSignIn with the reason, when the refresh token is dead', async () => {
    await signIn();
    proxy.next({ kind: 'invalidGrant' });
    const { kinds, messages } = await during(() => w.service.refreshNow('dev'));
    assert.deepEqual(kinds, ['refreshing', 'needsSignIn']);
    assert.match(messages[1]!, /revoked or has expired/);
  });

  it('signedIn again after signing in anew, signedOut on sign-out', async () => {
    const revocations = idp.stats.revocations;
    // A session whose refresh token died, as the user finds it before signing in anew.
    await signIn();
    proxy.next({ kind: 'invalidGrant' });
    await w.service.refreshNow('dev').catch(() => undefined);
    assert.deepEqual((await during(() => signInThroughIdp(w.service, 'dev', idp))).kinds, ['signedIn']);
    assert.deepEqual((await during(() => w.service.signOut('dev'))).kinds, ['signedOut']);
    assert.equal(idp.stats.revocations - revocations, 1, 'sign-out revoked the refresh token');
  });
});
