import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants, sha256 } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  sleep,
  storedSession,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

const TTL_S = 3;
const CYCLES = 8;
/** Refresh 1.5 s before expiry: half of a 3 s lifetime, the most refreshLeadMs allows. */
const SETTINGS = { remainingFraction: 0.25, minSecondsBeforeExpiry: 1.5 };

describe('token lifecycle: proactive refresh against a real IdP', function () {
  this.timeout(60_000);
  let idp: TestIdp | undefined;
  let w: Window | undefined;
  let rotating = true;

  afterEach(async () => {
    if (idp) addToTally(idp, { rotating });
    w?.service.dispose();
    await idp?.close();
    idp = w = undefined;
  });

  async function signedIn(rotate: boolean, ttl = TTL_S): Promise<{ idp: TestIdp; w: Window }> {
    rotating = rotate;
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: ttl, rotateRefreshTokens: rotate });
    w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), settings: SETTINGS });
    await signInThroughIdp(w.service, 'dev', idp);
    idp.stats.reset();
    return { idp, w };
  }

  /**
   * A consumer asking for the token every 100 ms with default options, until it has seen
   * `CYCLES` refreshes; each new token and every fifth answer is checked at the IdP.
   */
  async function consume(idp: TestIdp, w: Window) {
    const distinct = new Set<string>();
    const checks: Promise<boolean>[] = [];
    let handedOut = 0;
    let expired = 0;
    const started = Date.now();
    while (distinct.size <= CYCLES && Date.now() - started < 40_000) {
      const t = await w.service.getAccessToken('dev');
      handedOut++;
      if (t.expiresAt <= Date.now()) expired++;
      const fresh = !distinct.has(sha256(t.accessToken));
      distinct.add(sha256(t.accessToken));
      if (fresh || handedOut % 5 === 0) checks.push(introspect(idp, t.accessToken).then((r) => r.active));
      await sleep(100);
    }
    const elapsed = Date.now() - started;
    const inactive = (await Promise.all(checks)).filter((active) => !active).length;
    const cycles = distinct.size - 1;
    addToTally(undefined, {
      cycles,
      expiredTokensSeen: expired + inactive,
      tokensChecked: handedOut,
      introspected: checks.length,
    });
    return { cycles, handedOut, expired, inactive, checked: checks.length, elapsed, refreshes: refreshGrants(idp) };
  }

  for (const rotate of [true, false]) {
    it(`keeps a consumer polling every 100 ms supplied with live tokens over ${CYCLES} cycles (rotation ${rotate ? 'on' : 'off'})`, async () => {
      const { idp, w } = await signedIn(rotate);
      const r = await consume(idp, w);
      console.log(`      ${JSON.stringify(r)}`);
      assert.ok(r.cycles >= CYCLES, `${r.cycles} cycles`);
      assert.equal(r.expired, 0, 'tokens handed out already expired');
      assert.equal(r.inactive, 0, 'tokens the IdP no longer accepted');
      // Every refresh gave the consumer its token (one more may be in flight), and none came sooner than half a lifetime.
      assert.ok(
        r.refreshes >= r.cycles && r.refreshes <= r.cycles + 1,
        `${r.refreshes} refreshes for ${r.cycles} cycles`,
      );
      assert.ok(
        r.elapsed / r.refreshes >= (TTL_S * 1000) / 2 - 200,
        `a refresh every ${Math.round(r.elapsed / r.refreshes)} ms`,
      );
      const presented = [...idp.stats.refreshRedemptions.values()];
      // Rotation: each refresh token once. None: the one refresh token, every time.
      assert.deepEqual(presented, rotate ? presented.map(() => 1) : [r.refreshes]);
    });
  }

  it('with rotation, stores each new refresh token and never presents an old one again', async () => {
    const { idp, w } = await signedIn(true, 60);
    const seen = [sha256((await storedSession(w.store, 'dev')).refreshToken!)];
    for (let i = 0; i < 4; i++) {
      await w.service.refreshNow('dev');
      seen.push(sha256((await storedSession(w.store, 'dev')).refreshToken!));
    }
    assert.equal(new Set(seen).size, 5, 'a new refresh token every time');
    assert.deepEqual([...idp.stats.refreshRedemptions.keys()], seen.slice(0, 4), 'each presented in order');
    assert.deepEqual([...idp.stats.refreshRedemptions.values()], [1, 1, 1, 1], 'each exactly once');
  });

  it('without rotation, keeps the one refresh token the server did not replace', async () => {
    const { idp, w } = await signedIn(false, 60);
    const first = await storedSession(w.store, 'dev');
    const accessTokens = new Set([first.accessToken]);
    for (let i = 0; i < 4; i++) {
      await w.service.refreshNow('dev');
      const s = await storedSession(w.store, 'dev');
      assert.equal(sha256(s.refreshToken!), sha256(first.refreshToken!));
      accessTokens.add(s.accessToken);
    }
    assert.equal(accessTokens.size, 5, 'a new access token every time');
    assert.deepEqual([...idp.stats.refreshRedemptions.entries()], [[sha256(first.refreshToken!), 4]]);
  });
});
