import assert from 'node:assert/strict';
import { SessionError } from '../../src/session/errors.js';
import { FileRefreshLock, type RefreshLock } from '../../src/session/sync/refreshLock.js';
import { silentLogger } from '../../src/protocol/log.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants, sha256 } from '../support/idpChecks.js';
import { LaggingSecrets } from '../support/laggingSecrets.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  sleep,
  storedSession,
  tempDir,
  waitFor,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';

reportTallyAtEnd();

const LAG_MS = 1_500;

/**
 * Two windows on one keychain, where each sees the other's writes only after a delay (as
 * SecretStorage changes travel between VS Code windows), and one lock folder with its generation
 * marker. With rotation, a window that acted on its stale view would redeem a spent refresh token.
 */
describe('token lifecycle: another window’s write arrives late', function () {
  this.timeout(40_000);
  let idp: TestIdp | undefined;
  let keychain: LaggingSecrets | undefined;
  let windows: Window[] = [];

  afterEach(async () => {
    windows.forEach((w) => w.service.dispose());
    windows = [];
    keychain?.dispose();
    if (idp) addToTally(idp);
    await idp?.close();
  });

  /** Windows A and B, signed in through A, both holding generation 0; B's lock may be swapped for the control. */
  async function twoWindows(o: {
    ttl: number;
    lagMs: number;
    lockB?: (real: RefreshLock) => RefreshLock;
    settings?: { remainingFraction: number; minSecondsBeforeExpiry: number };
  }) {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: o.ttl, rotateRefreshTokens: true });
    keychain = new LaggingSecrets(o.lagMs);
    const lockDir = tempDir('agent-auth-lock-');
    const lockB = new FileRefreshLock(lockDir, { log: silentLogger });
    const a = lifecycleWindow([idpProvider(idp)], { secrets: keychain.view(), lockDir, settings: o.settings });
    const b = lifecycleWindow([idpProvider(idp)], {
      secrets: keychain.view(),
      lock: o.lockB?.(lockB) ?? lockB,
      settings: o.settings,
    });
    windows = [a, b];
    await signInThroughIdp(a.service, 'dev', idp);
    // Until the sign-in reaches B's view (a condition, not a sleep "long enough": issue 10 §6).
    await waitFor(
      () => b.service.state('dev')?.session !== undefined,
      'the sign-in to reach window B',
      o.lagMs + 15_000,
    );
    await b.service.getAccessToken('dev', { minValiditySeconds: 0 });
    return { idp, a, b };
  }

  it('the second window waits for the first one’s result instead of redeeming the rotated refresh token', async () => {
    const { idp, a, b } = await twoWindows({ ttl: 60, lagMs: LAG_MS });
    const fromA = await a.service.refreshNow('dev');
    const behind =
      (await b.store.read('dev')).kind === 'ok' && (await storedSession(b.store, 'dev')).generation < fromA.generation;
    const fromB = await b.service.refreshNow('dev');
    assert.ok(behind, 'B’s view was behind when it refreshed (the case under test)');
    assert.equal(sha256(fromB.accessToken!), sha256(fromA.accessToken!), 'B uses A’s new token');
    assert.equal((await storedSession(b.store, 'dev')).generation, fromA.generation, 'which B’s view now shows');
    assert.equal(refreshGrants(idp), 1);
    assert.equal(idp.stats.doubleRedemptions(), 0);
    assert.equal((await introspect(idp, fromB.accessToken!)).active, true);
  });

  it('control: without the marker, the same lag makes the second window redeem the spent refresh token', async () => {
    const { idp, a, b } = await twoWindows({
      ttl: 60,
      lagMs: LAG_MS,
      lockB: (real) => ({
        withLock: (name, fn) => real.withLock(name, fn),
        readMarker: async () => undefined,
        writeMarker: (name, m) => real.writeMarker(name, m),
        clearMarker: (name) => real.clearMarker(name),
        claimRedemption: (name, m) => real.claimRedemption(name, m),
      }),
    });
    await a.service.refreshNow('dev');
    await assert.rejects(b.service.refreshNow('dev'), (e) => e instanceof SessionError && e.code === 'needs_sign_in');
    assert.equal(idp.stats.doubleRedemptions(), 1, 'this is what the marker prevents');
    idp.stats.reset(); // a deliberate double redemption: not one to report
  });

  it('two windows refreshing on their own schedules with consumers in both never redeem a token twice', async () => {
    const { idp, a, b } = await twoWindows({
      ttl: 3,
      lagMs: 700,
      settings: { remainingFraction: 0.25, minSecondsBeforeExpiry: 1.5 },
    });
    let handedOut = 0;
    let expired = 0;
    const started = Date.now();
    const consume = async (w: Window) => {
      while (Date.now() - started < 10_000) {
        const t = await w.service.getAccessToken('dev');
        handedOut++;
        if (t.expiresAt <= Date.now()) expired++;
        await sleep(100);
      }
    };
    await Promise.all([consume(a), consume(b)]);
    const refreshes = refreshGrants(idp);
    addToTally(undefined, { cycles: refreshes, expiredTokensSeen: expired, tokensChecked: handedOut });
    assert.ok(refreshes >= 5, `${refreshes} refreshes in 10 s`);
    assert.equal(idp.stats.doubleRedemptions(), 0);
    assert.equal(expired, 0);
  });
});
