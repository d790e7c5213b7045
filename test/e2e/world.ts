import { createHash } from 'node:crypto';
import type { TestIdp } from '../fixtures/idp.js';
import type { ArgvWatch } from '../support/leaks.js';
import { stepEpoch } from './runner.js';
import type { Flow } from './providerSettings.js';
import type { Workbench } from './workbench.js';

/** Everything a scenario drives or inspects. */
export interface World {
  wb: Workbench;
  idp: TestIdp;
  /** Switches the provider to `flow` through the Settings (JSON) editor. */
  useFlow(flow: Flow): Promise<void>;
  /** Puts the user settings back to the run's (with the last flow chosen), through the editor. */
  restoreSettings(): Promise<void>;
  /** The user settings.json on disk. */
  settingsFile: string;
  /** Replaces the User settings (on top of the harness's base settings) through the Settings (JSON) editor. */
  replaceSettings(settings: object): Promise<void>;
  /** Where terminal commands leave their output files (never a token, only hashes). */
  outDir: string;
  userDataDir: string;
  workspaceDir: string;
  /** Samples every process's argv from before the first scenario to the end. */
  argv: ArgvWatch;
  /** What the reference agent language server received (token fingerprints), one JSON object per line. */
  agentRecord: string;
  /** Written by the in-host test runner when its mocha run ends. */
  hostResultsFile: string;
  /** Why test/host did not compile, if it did not. */
  hostTestsCompileError?: string;
}

/** Thrown by `until` in a step that already ended (timed out): callers must not retry then. */
export class StepEnded extends Error {}

/**
 * Polls `probe` until it returns something other than undefined/false; on timeout the error says
 * what was expected and what `seen` reported last.
 */
export async function until<T>(
  expected: string,
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; seen?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const step = stepEpoch();
  for (;;) {
    if (stepEpoch() !== step) throw new StepEnded(`stopped waiting for ${expected}: its step has ended`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      const seen = opts.seen ? await opts.seen().catch((e) => `(unreadable: ${e})`) : '';
      throw new Error(`expected ${expected}${seen ? `; saw ${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The countdown a status text ends in: "<1m", "59s", "12m", "1h 05m", "2d 3h"; undefined if none. */
export function countdownText(text: string): string | undefined {
  const m = /\s(<1m|(?:\d+d\s*)?(?:\d+h\s*)?(?:\d+m\s*)?(?:\d+s)?)$/.exec(text.trim());
  return m && m[1].trim() ? m[1].trim() : undefined;
}

/** Seconds shown by the countdown ("59s", "12m", "1h 05m", "2d 3h"), or undefined (also for "<1m"). */
export function countdownSeconds(text: string): number | undefined {
  const m = /(?:^|\s)(?:(\d+)d\s*)?(?:(\d+)h\s*)?(?:(\d+)m\s*)?(?:(\d+)s)?\s*$/.exec(text.trim());
  if (!m || m.slice(1).every((g) => g === undefined)) return undefined;
  const [d, h, min, s] = m.slice(1).map((g) => Number(g ?? 0));
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

/** The expiry time ("HH:MM:SS") in the status bar entry's accessibility label, as epoch ms of today (or undefined). */
export function expiryInAriaLabel(label: string, now = new Date()): number | undefined {
  const m = /valid until (\d\d):(\d\d):(\d\d)/.exec(label);
  if (!m) return undefined;
  const d = new Date(now);
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), 0);
  // Just after midnight a time late in the evening belongs to yesterday, and the reverse.
  if (d.getTime() - now.getTime() > 12 * 3600_000) d.setDate(d.getDate() - 1);
  if (now.getTime() - d.getTime() > 12 * 3600_000) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** Enough of a sha256 to compare tokens in logs without revealing them. */
export const sha256Prefix = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
export const EMPTY_SHA256_PREFIX = sha256Prefix('');
