/**
 * The status bar's countdown, kept free of `vscode` so it can be tested alone. Remaining time is
 * rounded down: the display never claims more time than the token has.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Below this the display shows seconds and ticks every second. */
const SECONDS_WINDOW = 2 * MINUTE;
/** Timers stall while the machine sleeps; waking at least this often re-reads the wall clock. */
const MAX_TICK = 5 * MINUTE;

export type Severity = 'ok' | 'warning' | 'error';

/** "59s", "1m 42s" (only in the last two minutes), "12m", "1h 05m", "2d 3h". */
export function formatRemaining(ms: number): string {
  const r = Math.max(0, ms);
  if (r < MINUTE) return `${Math.floor(r / SECOND)}s`;
  if (r < SECONDS_WINDOW) return `1m ${pad(Math.floor((r - MINUTE) / SECOND))}s`;
  if (r < HOUR) return `${Math.floor(r / MINUTE)}m`;
  if (r < DAY) return `${Math.floor(r / HOUR)}h ${pad(Math.floor((r % HOUR) / MINUTE))}m`;
  return `${Math.floor(r / DAY)}d ${Math.floor((r % DAY) / HOUR)}h`;
}

/**
 * Milliseconds until the display (or, with `warningMs`, the severity) next changes; undefined once
 * expired, when nothing will change by itself. Each boundary is crossed by 1 ms so the next
 * render already shows the new value.
 */
export function nextTickDelayMs(remainingMs: number, warningMs?: number): number | undefined {
  if (remainingMs <= 0) return undefined;
  const unit = remainingMs < SECONDS_WINDOW ? SECOND : remainingMs < DAY ? MINUTE : HOUR;
  let delay = (remainingMs % unit) + 1;
  if (warningMs !== undefined && remainingMs >= warningMs) delay = Math.min(delay, remainingMs - warningMs + 1);
  return Math.min(delay, MAX_TICK);
}

export function severity(remainingMs: number, warningMs: number): Severity {
  if (remainingMs <= 0) return 'error';
  return remainingMs < warningMs ? 'warning' : 'ok';
}

const pad = (n: number) => String(n).padStart(2, '0');
