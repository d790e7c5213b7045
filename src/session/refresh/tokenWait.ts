import type { Clock } from '../ports.js';
import type { SessionRecord } from '../store/sessionRecord.js';

/** How waiting callers are bounded: pure promise helpers over the injected clock. */

export type Settled<T> = { value: T } | { err: Error } | { slow: true };

/** What `p` came to within `ms`: its value, its error, or `slow` (it goes on). */
export function settleWithin<T>(p: Promise<T>, ms: number, clock: Clock): Promise<Settled<T>> {
  let timer: unknown;
  return Promise.race<Settled<T>>([
    p.then(
      (value) => ({ value }),
      (err: Error) => ({ err }),
    ),
    new Promise<{ slow: true }>((r) => (timer = clock.setTimeout(() => r({ slow: true }), Math.max(0, ms)))),
  ]).finally(() => clock.clearTimeout(timer));
}

/** `p`, or `timeoutError()` once `ms` have passed (`p` itself goes on). */
export function withWaitLimit<T>(p: Promise<T>, ms: number, clock: Clock, timeoutError: () => Error): Promise<T> {
  let timer: unknown;
  const limit = new Promise<never>((_, reject) => (timer = clock.setTimeout(() => reject(timeoutError()), ms)));
  return Promise.race([p, limit]).finally(() => clock.clearTimeout(timer));
}

/** While the token in hand is still valid, how long a caller waits for a fresher one before taking it. */
export const PREFER_FRESH_WAIT_MS = 3_000;

/** A little, within the caller's own limit, and not so long that the token in hand is nearly dead when handed out. */
export function preferFreshWaitMs(held: { expiresAt: number }, now: number, maxWaitMs = Infinity): number {
  const remaining = held.expiresAt - now;
  return Math.min(PREFER_FRESH_WAIT_MS, maxWaitMs, remaining - Math.min(1_000, remaining / 4));
}

/** `current` is still the sign-in of `held` (not signed out meanwhile) and its access token is still valid. */
export function stillValid(
  current: SessionRecord | undefined,
  held: SessionRecord,
  now: number,
): current is SessionRecord {
  return !!current?.accessToken && current.sessionId === held.sessionId && current.expiresAt > now;
}
