import type { ProviderState } from '../session/tokenService.js';
import { nextTickDelayMs, type Severity, severity } from './countdown.js';

/**
 * What the status bar shows for each provider and which one it puts first, free of `vscode` so
 * it can be tested alone (the bar adds the words and colours).
 */
export type ProviderStatus =
  | { kind: 'signedOut' }
  /** The refresh token is gone (or the stored entry was unreadable): only a sign-in helps. */
  | { kind: 'needsSignIn'; reason?: string }
  /** Expired while refreshes keep failing (offline, server down): the schedule is still trying. */
  | { kind: 'expired' }
  /** `unavoidable`: nothing will refresh it (no refresh token, or refreshes are failing). */
  | { kind: 'valid'; remainingMs: number; severity: Severity; unavoidable: boolean };

export function providerStatus(
  state: ProviderState,
  now: number,
  warningMs: number,
  corruptReason?: string,
): ProviderStatus {
  const s = state.session;
  if (!s) return corruptReason ? { kind: 'needsSignIn', reason: corruptReason } : { kind: 'signedOut' };
  const remainingMs = s.accessToken ? s.expiresAt - now : 0;
  if (s.needsSignIn || (!s.refreshToken && remainingMs <= 0))
    return { kind: 'needsSignIn', reason: s.needsSignIn?.reason };
  if (remainingMs <= 0) return { kind: 'expired' };
  const unavoidable = !canRefresh(state);
  return { kind: 'valid', remainingMs, severity: severity(remainingMs, warningMs, unavoidable), unavoidable };
}

/** A refresh token and no failed refresh since this session was obtained: the session renews itself. */
export function canRefresh(state: ProviderState): boolean {
  const s = state.session;
  if (!s?.refreshToken || s.needsSignIn) return false;
  const failing = state.lastRefresh && !state.lastRefresh.ok && state.lastRefresh.at >= s.obtainedAt;
  return !failing;
}

const URGENCY: Record<ProviderStatus['kind'], number> = { needsSignIn: 0, expired: 1, valid: 2, signedOut: 3 };

/** The provider the bar names: needing sign-in first, then expired, then the soonest to expire. */
export function mostUrgent<T extends { status: ProviderStatus }>(items: T[]): T | undefined {
  const remaining = (x: T) => (x.status.kind === 'valid' ? x.status.remainingMs : 0);
  return items
    .filter((x) => x.status.kind !== 'signedOut')
    .sort((a, b) => URGENCY[a.status.kind] - URGENCY[b.status.kind] || remaining(a) - remaining(b))[0];
}

export function worstSeverity(statuses: ProviderStatus[]): Severity {
  let worst: Severity = 'ok';
  for (const s of statuses) {
    if (s.kind === 'needsSignIn' || s.kind === 'expired') return 'error';
    if (s.kind === 'valid' && s.severity === 'warning') worst = 'warning';
  }
  return worst;
}

/** When the bar must render again by itself; undefined when nothing counts down (no timer then). */
export function nextRenderDelayMs(statuses: ProviderStatus[], warningMs: number): number | undefined {
  let next: number | undefined;
  for (const s of statuses) {
    if (s.kind !== 'valid') continue;
    const d = nextTickDelayMs(s.remainingMs, s.unavoidable, warningMs);
    if (d !== undefined && (next === undefined || d < next)) next = d;
  }
  return next;
}
