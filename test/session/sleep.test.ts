import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { refreshGrants } from '../support/idpChecks.js';
import type { JumpingClock } from '../support/jumpingClock.js';
import { signedInWindow, sleep, waitFor, type Window } from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';

reportTallyAtEnd();

/** The machine sleeps past the token's expiry: timers stall, the wall clock jumps. */
describe('token lifecycle: waking from sleep', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let clock: JumpingClock;
  let w: Window;

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
  });
  after(() => idp.close());
  beforeEach(async () => {
    ({ w, clock } = await signedInWindow(idp));
  });
  afterEach(() => w.service.dispose());

  it('checkSchedules starts a refresh at once, and the next consumer gets its result', async () => {
    const old = await w.service.getAccessToken('dev');
    clock.jump(61_000);
    w.service.checkSchedules();
    assert.equal(w.service.state('dev')!.refreshing, true, 'refreshing before any consumer asked');
    const t = await w.service.getAccessToken('dev');
    assert.ok(t.accessToken !== old.accessToken, 'a new token');
    assert.ok(t.expiresAt > clock.now() + 50_000);
    assert.equal(refreshGrants(idp), 1);
    addToTally(idp, { tokensChecked: 2 });
  });

  it('a consumer polling across the sleep is never handed the expired token', async () => {
    let handedOut = 0;
    let expired = 0;
    let stop = false;
    const consumer = (async () => {
      while (!stop) {
        const t = await w.service.getAccessToken('dev');
        handedOut++;
        if (t.expiresAt <= clock.now()) expired++;
        await sleep(10);
      }
    })();
    await waitFor(() => handedOut >= 5, 'the consumer to be polling');
    clock.jump(61_000);
    const atJump = handedOut;
    await waitFor(() => handedOut >= atJump + 5, 'tokens handed out after the jump');
    w.service.checkSchedules(); // the wake-up notice may come after the first consumer
    await waitFor(() => refreshGrants(idp) >= 1 && handedOut >= atJump + 10, 'the refresh and more tokens after it');
    stop = true;
    await consumer;
    assert.equal(expired, 0, `${expired} of ${handedOut} tokens were expired`);
    assert.equal(refreshGrants(idp), 1);
    addToTally(idp, { expiredTokensSeen: expired, tokensChecked: handedOut });
  });
});
