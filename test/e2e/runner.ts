import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshotsDir } from './paths.js';

/**
 * A tiny scenario runner: scenarios are async functions made of named steps. Each step has a
 * timeout and leaves a screenshot (artifacts/screenshots/<host>/<scenario>-<step>.png); a failing step
 * also leaves one named ...-FAILED.png and reports the extension's last log lines.
 */

/**
 * What a result counts as: a UI scenario (driven through the workbench), an in-host mocha test
 * (test/host, run inside the extension host), or a measurement (numbers for a comparison, never a
 * pass; a measurement whose set-up fails is still a failure).
 */
export type ResultKind = 'scenario' | 'host' | 'measurement';

export interface Result {
  name: string;
  ok: boolean;
  ms: number;
  /** Why it failed. */
  detail?: string;
  /** Default 'scenario'. */
  kind?: ResultKind;
  /** A measurement's lines (Steps.measure), for the summary. */
  measured?: string[];
}

export interface Steps {
  /**
   * Runs `fn` within `timeoutMs` (default 30 s) and photographs `page` (default: the workbench);
   * a failure names the step and carries the diagnostics.
   */
  <T>(name: string, fn: () => Promise<T>, opts?: StepOptions): Promise<T>;
  /** Prints an indented line under the scenario. */
  note(message: string): void;
  /** Prints a line like `note` and keeps it for the summary: what a measurement measured. */
  measure(line: string): void;
}

export interface Scenario {
  name: string;
  /** Default 'scenario'; results it returns take it unless they name their own. */
  kind?: ResultKind;
  /** Scenarios that must have passed first; otherwise this one fails without running. */
  needs?: string[];
  /** May return results of its own (the in-host mocha tests), each counted separately. */
  run(step: Steps): Promise<void | Result[]>;
}

export interface RunnerHooks {
  /** The page to photograph after each step. */
  page(): Page | undefined;
  /** Appended to failure messages: log tails, status bar contents. */
  diagnostics(): Promise<string>;
}

export interface StepOptions {
  timeoutMs?: number;
  page?: Page;
}

const DEFAULT_STEP_MS = 30_000;

let epoch = 0;
/**
 * Changes whenever a step ends. A timed-out step's promise keeps running; polling loops compare
 * this number to stop then, instead of typing into whatever the next step has on screen.
 */
export const stepEpoch = () => epoch;

class StepFailure extends Error {}

/**
 * `AGENT_AUTH_E2E_ONLY=a,b` (for development, never in CI) keeps scenarios a and b and the ones
 * they need, transitively; every other scenario is left out of the run and of the counts.
 */
export function selectScenarios(scenarios: Scenario[], only = process.env.AGENT_AUTH_E2E_ONLY): Scenario[] {
  if (!only) return scenarios;
  const keep = new Set(
    only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const sc of [...scenarios].reverse()) if (keep.has(sc.name)) for (const n of sc.needs ?? []) keep.add(n);
  return scenarios.filter((sc) => keep.has(sc.name));
}

/** `host`: which code-server runs them; it names the screenshots' folder. */
export async function runScenarios(scenarios: Scenario[], hooks: RunnerHooks, host = ''): Promise<Result[]> {
  const shots = join(screenshotsDir, host);
  mkdirSync(shots, { recursive: true });
  const results: Result[] = [];
  const passed = new Set<string>();
  for (const sc of selectScenarios(scenarios)) {
    const started = Date.now();
    const missing = (sc.needs ?? []).filter((n) => !passed.has(n));
    if (missing.length) {
      report(results, {
        name: sc.name,
        ok: false,
        ms: 0,
        detail: `not run: needs ${missing.join(', ')}, which did not pass`,
        kind: sc.kind ?? 'scenario',
      });
      continue;
    }
    console.log(`▶ ${sc.name}`);
    const measured: string[] = [];
    const kind = sc.kind ?? 'scenario';
    try {
      const sub = await sc.run(makeSteps(sc.name, hooks, shots, measured));
      if (sub) for (const r of sub) report(results, { kind, ...r });
      else report(results, { name: sc.name, ok: true, ms: Date.now() - started, kind, measured });
      if (!sub || sub.every((r) => r.ok)) passed.add(sc.name);
    } catch (e) {
      const detail = e instanceof StepFailure ? e.message : ((e as Error).stack ?? String(e));
      report(results, { name: sc.name, ok: false, ms: Date.now() - started, detail, kind, measured });
    }
  }
  return results;
}

function makeSteps(scenario: string, hooks: RunnerHooks, shots: string, measured: string[]): Steps {
  const step = async <T>(name: string, fn: () => Promise<T>, opts: StepOptions = {}): Promise<T> => {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_STEP_MS;
    const page = () => (opts.page && !opts.page.isClosed() ? opts.page : hooks.page());
    const shot = join(shots, `${scenario}-${slug(name)}`);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
      await new Promise((r) => setTimeout(r, 300)); // let notifications and menus finish animating
      await page()
        ?.screenshot({ path: `${shot}.png` })
        .catch(() => undefined);
      return value;
    } catch (e) {
      await page()
        ?.screenshot({ path: `${shot}-FAILED.png` })
        .catch(() => undefined);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      throw new StepFailure(
        `step "${name}" failed after ${secs} s: ${(e as Error).message}\n` +
          `screenshot: ${shot}-FAILED.png\n${await hooks.diagnostics().catch((d) => `(no diagnostics: ${d})`)}`,
      );
    } finally {
      clearTimeout(timer);
      epoch++;
    }
  };
  const note = (m: string) => console.log(`    ${m}`);
  return Object.assign(step, {
    note,
    measure: (line: string) => {
      measured.push(line);
      note(line);
    },
  });
}

function report(results: Result[], r: Result): void {
  results.push(r);
  const time = r.ms ? ` (${(r.ms / 1000).toFixed(1)} s)` : '';
  const mark = !r.ok ? '✘' : r.kind === 'measurement' ? '◆ measured:' : '✔';
  console.log(`${mark} ${r.name}${time}`);
  if (r.detail) console.log(indent(r.detail));
}

const count = (results: Result[]) => {
  const failed = results.filter((r) => !r.ok).length;
  return `${results.length - failed} passed, ${failed} failed`;
};
const ofKind = (results: Result[], kind: ResultKind) => results.filter((r) => (r.kind ?? 'scenario') === kind);

/**
 * `N passed, N failed` over the UI scenarios and the in-host tests (the line CI reads). A
 * measurement is no pass; one that failed (its set-up did not work) counts as failed.
 */
export function summary(results: Result[]): string {
  return count(results.filter((r) => r.kind !== 'measurement' || !r.ok));
}

/** The two counts apart, and the measurements taken: `UI scenarios …; in-host tests …; measured: a, b`. */
export function breakdown(results: Result[]): string {
  const measurements = ofKind(results, 'measurement');
  const measured = measurements.map((r) => (r.ok ? r.name : `${r.name} (FAILED)`));
  return (
    `UI scenarios ${count(ofKind(results, 'scenario'))}; in-host tests ${count(ofKind(results, 'host'))}` +
    (measured.length ? `; measured: ${measured.join(', ')}` : '')
  );
}

/** `measurement <scenario>: <line>` for every line a measurement kept. */
export function measurementLines(results: Result[]): string[] {
  return ofKind(results, 'measurement').flatMap((r) => (r.measured ?? []).map((l) => `measurement ${r.name}: ${l}`));
}

const indent = (s: string) => s.replace(/^/gm, '    ');
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
