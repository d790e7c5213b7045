/**
 * The status bar's countdown, kept free of `vscode` so it can be tested alone. Remaining time is
 * rounded down: the display never claims more time than the token has.
 *
 * Calm by default: while the session can refresh itself the countdown shows minutes and changes
 * at most once a minute. Seconds, ticking every second, appear only in the last minute before an
 * expiry that cannot be avoided (no refresh token, or refreshes failing).
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Timers stall while the machine sleeps; waking at least this often re-reads the wall clock. */
const MAX_TICK = 5 * MINUTE;

export type Severity = 'ok' | 'warning' | 'error';

/**
 * "42s" (only when `unavoidable`, in the last minute), "<1m", "12m", "1h 05m", "2d 3h".
 * `unavoidable`: the token will expire and nothing will refresh it.
 */
export function formatRemaining(ms: number, unavoidable: boolean): string {
  const r = Math.max(0, ms);
  if (r < MINUTE) return unavoidable ? `${Math.floor(r / SECOND)}s` : '<1m';
  if (r < HOUR) return `${Math.floor(r / MINUTE)}m`;
  if (r < DAY) return `${Math.floor(r / HOUR)}h ${pad(Math.floor((r % HOUR) / MINUTE))}m`;
  return `${Math.floor(r / DAY)}d ${Math.floor((r % DAY) / HOUR)}h`;
}

/**
 * Milliseconds until the display (or, for an unavoidable expiry with `warningMs`, the colour) next
 * changes; undefined once expired, when nothing will change by itself. Each boundary is crossed by
 * 1 ms so the next render already shows the new value.
 */
export function nextTickDelayMs(remainingMs: number, unavoidable: boolean, warningMs?: number): number | undefined {
  if (remainingMs <= 0) return undefined;
  const unit = unavoidable && remainingMs < MINUTE ? SECOND : remainingMs < DAY ? MINUTE : HOUR;
  let delay = (remainingMs % unit) + 1;
  if (unavoidable && warningMs !== undefined && remainingMs >= warningMs)
    delay = Math.min(delay, remainingMs - warningMs + 1);
  return Math.min(delay, MAX_TICK);
}

/**
 * The colour of a valid token: a session that refreshes itself is never a warning; one that
 * cannot (no refresh token, refreshes failing) warns once expiry is nearer than `warningMs`.
 */
export function severity(remainingMs: number, warningMs: number, unavoidable: boolean): Severity {
  if (remainingMs <= 0) return 'error';
  return unavoidable && remainingMs < warningMs ? 'warning' : 'ok';
}

const pad = (n: number) => String(n).padStart(2, '0');
