import type { RefreshSettings } from '../config/config.js';
import { atMostHalfLifetime } from '../config/validity.js';

/**
 * When to refresh, and how long to back off after a failure. Pure functions of the session's
 * times, the settings and a random number, so they are tested without a clock.
 */

/** Upper bound of the random head start that keeps several windows from firing together. */
export const MAX_JITTER_MS = 10_000;

/** How long before expiry a refresh is due: the larger of the two settings, but at most half the lifetime. */
export function refreshLeadMs(expiresAt: number, obtainedAt: number, s: RefreshSettings): number {
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  const lead = Math.max(lifetime * s.remainingFraction, s.minSecondsBeforeExpiry * 1000);
  return atMostHalfLifetime(lead, lifetime);
}

function jitterMs(expiresAt: number, obtainedAt: number, random: number): number {
  return random * Math.min(MAX_JITTER_MS, Math.max(0, expiresAt - obtainedAt) * 0.05);
}

/** The epoch ms at which this window should start a proactive refresh. */
export function refreshDueAt(t: { expiresAt: number; obtainedAt: number }, s: RefreshSettings, random: number): number {
  return t.expiresAt - refreshLeadMs(t.expiresAt, t.obtainedAt, s) - jitterMs(t.expiresAt, t.obtainedAt, random);
}

/** True when any window's jittered schedule could have fired by `now`: used after taking the lock. */
export function isRefreshDue(t: { expiresAt: number; obtainedAt: number }, s: RefreshSettings, now: number): boolean {
  return now >= refreshDueAt(t, s, 1);
}

/** Exponential backoff with jitter (50-100% of 1 s * 2^attempt, at most `capMs`), never before Retry-After. */
export function backoffMs(attempt: number, random: number, retryAfterSeconds?: number, capMs = 60_000): number {
  const exp = Math.min(capMs, 1000 * 2 ** attempt);
  const jittered = exp / 2 + (exp / 2) * random;
  return Math.max(jittered, Math.min(retryAfterSeconds ?? 0, 300) * 1000);
}
