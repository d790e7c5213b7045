import type { TestIdp } from '../fixtures/idp.js';

/** Totals over the token-lifecycle suite, printed once at the end as the line the lead quotes. */
const tally = {
  cycles: 0,
  refreshes: 0,
  doubleRedemptions: 0,
  expiredTokensSeen: 0,
  tokensChecked: 0,
  introspected: 0,
};
let registered = false;

export interface Seen {
  cycles?: number;
  expiredTokensSeen?: number;
  tokensChecked?: number;
  /** Of those, how many were also confirmed live at the IdP by introspection. */
  introspected?: number;
  /** False when the IdP did not rotate refresh tokens: presenting one repeatedly is then correct. */
  rotating?: boolean;
}

/** Adds what one IdP saw since its last stats reset and what the test's consumers saw. */
export function addToTally(idp: TestIdp | undefined, seen: Seen = {}): void {
  if (idp) {
    tally.refreshes += idp.stats.grants.refresh_token ?? 0;
    if (seen.rotating !== false) tally.doubleRedemptions += idp.stats.doubleRedemptions();
  }
  tally.cycles += seen.cycles ?? 0;
  tally.expiredTokensSeen += seen.expiredTokensSeen ?? 0;
  tally.tokensChecked += seen.tokensChecked ?? 0;
  tally.introspected += seen.introspected ?? 0;
}

/** Call at a spec file's top level: registers, once, the root after() hook that prints the summary line. */
export function reportTallyAtEnd(): void {
  if (registered) return;
  registered = true;
  after(() => {
    console.log(
      `token lifecycle summary: cycles run ${tally.cycles}, refreshes observed at the provider ${tally.refreshes}, ` +
        `double redemptions ${tally.doubleRedemptions}, consumer-visible expired tokens ${tally.expiredTokensSeen} ` +
        `(of ${tally.tokensChecked} tokens handed out, ${tally.introspected} of them also introspected at the IdP)`,
    );
  });
}
