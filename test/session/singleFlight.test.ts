import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants } from '../support/idpChecks.js';
import type { JumpingClock } from '../support/jumpingClock.js';
import { signedInWindow, type Window } from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';

reportTallyAtEnd();

const CALLERS = 1_000;

describe('token lifecycle: single flight in one process', function () {
  this.timeout(30_000);
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
  afterEach(() => {
    addToTally(idp, { tokensChecked: CALLERS });
    w.service.dispose();
  });

  async function race(jumpMs: number, opts: { forceRefresh?: boolean }) {
    const old = (await w.service.getAccessToken('dev')).accessToken;
    clock.jump(jumpMs);
    const answers = await Promise.all(Array.from({ length: CALLERS }, () => w.service.getAccessToken('dev', opts)));
    const tokens = new Set(answers.map((a) => a.accessToken));
    assert.equal(refreshGrants(idp), 1, 'one refresh_token grant at the IdP');
    assert.equal(tokens.size, 1, 'every caller got the same token');
    const [token] = tokens;
    assert.ok(token !== old, 'a new token');
    assert.ok(answers.every((a) => a.expiresAt > clock.now()));
    assert.equal((await introspect(idp, token)).active, true);
  }

  it(`${CALLERS} concurrent forced refreshes make one refresh`, async () => {
    // Past the window in which a forced refresh reuses a just-refreshed token.
    await race(3_000, { forceRefresh: true });
  });

  it(`${CALLERS} concurrent callers holding an expired token make one refresh`, async () => {
    await race(61_000, {});
  });
});
