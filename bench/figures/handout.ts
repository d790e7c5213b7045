import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestIdp } from '../../test/fixtures/idp.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir } from '../../test/support/lifecycle.js';
import { MemorySecretStore } from '../../test/support/memorySecretStore.js';
import type { AccessToken } from '../../src/session/tokenService.js';
import { type FigureResult, row } from '../report.js';
import { median, quantile } from '../stats.js';
import { BareRefresher } from '../support/bareRefresh.js';

/** Lifetime of the tokens the concurrency rounds race for; each round starts ROUND_LEAD_MS before expiry. */
const SHORT_TTL_S = 2;
const ROUND_LEAD_MS = 700;
/** Keeps the service's own schedule (20 ms + ≤ 100 ms jitter before expiry) out of the rounds: the callers must cause the refresh. */
const LATE_SCHEDULE = { remainingFraction: 0.01, minSecondsBeforeExpiry: 0 };
const WARMUP_CALLS = 10_000;

export interface HandoutOptions {
  calls: number;
  runs: number;
  callers: number;
  rounds: number;
}

/**
 * Figure 3. The hot path: getAccessToken with a valid token, per call, next to the floor any
 * async getter pays (a Map lookup and Promise.resolve, timed the same way). Then `callers`
 * concurrent getAccessToken calls while the token needs a refresh: requests at the provider
 * (single flight: exactly 1) and the callers' p99 wait next to a bare refresh POST of the same run.
 */
export async function handoutFigure(o: HandoutOptions): Promise<FigureResult> {
  const idp = await startTestIdp({ accessTokenTtl: 3600, rotateRefreshTokens: true });
  const lockDir = tempDir('agent-auth-bench-lock-');
  const w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), lockDir, settings: LATE_SCHEDULE });
  let expired = 0;
  const check = (t: AccessToken) => void (t.expiresAt <= Date.now() && expired++);
  try {
    await signInThroughIdp(w.service, 'dev', idp);
    const bare = await BareRefresher.signIn(idp);

    const ours = () => w.service.getAccessToken('dev');
    const known = new Map([['dev', await ours()]]);
    const floor = () => Promise.resolve(known.get('dev')!);
    await perCallUs(WARMUP_CALLS, floor, check);
    await perCallUs(WARMUP_CALLS, ours, check);
    const hot = { ours: [] as { p50: number; p99: number }[], floor: [] as { p50: number; p99: number }[] };
    for (let r = 0; r < o.runs; r++) {
      hot.floor.push(percentiles(await perCallUs(o.calls, floor, check)));
      hot.ours.push(percentiles(await perCallUs(o.calls, ours, check)));
    }

    idp.setAccessTokenTtl(SHORT_TTL_S);
    await w.service.refreshNow('dev');
    await bare.refresh(); // warm the bare path's connection as the service's is
    const rounds: { requests: number; p99: number; bareMs: number }[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const s = w.service.state('dev')!.session!;
      await sleep(s.expiresAt - ROUND_LEAD_MS - Date.now());
      const before = idp.stats.tokenRequests;
      const waits = await Promise.all(
        Array.from({ length: o.callers }, async () => {
          const started = performance.now();
          const t = await w.service.getAccessToken('dev', { minValiditySeconds: 1 });
          const ms = performance.now() - started;
          check(t);
          return ms;
        }),
      );
      const requests = idp.stats.tokenRequests - before;
      rounds.push({ requests, p99: quantile(waits, 0.99), bareMs: await bare.refresh() });
    }

    const maxRequests = Math.max(...rounds.map((r) => r.requests));
    const minRequests = Math.min(...rounds.map((r) => r.requests));
    return {
      rows: [
        row({
          figure: `3a getAccessToken, valid token, p50 µs over ${o.calls} calls (vs Map + Promise.resolve)`,
          ours: median(hot.ours.map((x) => x.p50)),
          peer: median(hot.floor.map((x) => x.p50)),
          runs: o.runs,
        }),
        row({
          figure: `3b getAccessToken, valid token, p99 µs over ${o.calls} calls (vs Map + Promise.resolve)`,
          ours: median(hot.ours.map((x) => x.p99)),
          peer: median(hot.floor.map((x) => x.p99)),
          runs: o.runs,
        }),
        row({
          figure: `3c ${o.callers} callers during a refresh: requests at the provider`,
          ours: maxRequests,
          goal: '= 1',
          check: (n) => n === 1,
          runs: o.rounds,
        }),
        row({
          figure: `3d ${o.callers} callers during a refresh: p99 wait, ms (vs bare refresh POST)`,
          ours: median(rounds.map((r) => r.p99)),
          peer: median(rounds.map((r) => r.bareMs)),
          runs: o.rounds,
        }),
      ],
      invariants: [
        {
          name: `single flight: one token request per refresh with ${o.callers} concurrent callers`,
          ok: maxRequests === 1 && minRequests === 1,
          detail: `${minRequests}-${maxRequests} requests per round over ${o.rounds} rounds`,
        },
        {
          name: 'no expired token handed out (hot path and concurrent callers)',
          ok: expired === 0,
          detail: `${expired} expired`,
        },
        {
          name: 'no refresh token redeemed twice (figure 3)',
          ok: idp.stats.doubleRedemptions() === 0,
          detail: `${idp.stats.doubleRedemptions()} double redemptions`,
        },
      ],
      details: { hotPath: hot, rounds },
    };
  } finally {
    w.service.dispose();
    await idp.close();
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Times each call on its own (the timer's cost is in both ours and the floor); microseconds. */
async function perCallUs<T>(n: number, call: () => Promise<T>, check: (v: T) => void): Promise<Float64Array> {
  const us = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const v = await call();
    us[i] = (performance.now() - started) * 1000;
    check(v);
  }
  return us;
}

const percentiles = (us: Float64Array) => ({ p50: quantile(us, 0.5), p99: quantile(us, 0.99) });
