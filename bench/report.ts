import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { round } from './stats.js';

/** One line of the table: our figure next to its peer measured in the same run. */
export interface Row {
  /** What is measured, its unit and what the peer is. */
  figure: string;
  /** A number, or why there is none ("skipped (...)"). */
  ours: number | string;
  peer: number | string | null;
  /** ours / peer, when both are numbers. */
  ratio: number | null;
  goal: string;
  /** null: no goal, or nothing measured. */
  met: boolean | null;
  /** How many runs the median is taken over. */
  runs: number;
}

/** A property that must hold whatever the timings: a broken one makes the bench exit non-zero. */
export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface FigureResult {
  rows: Row[];
  invariants: Invariant[];
  /** Extra numbers for the JSON (and, where useful, the markdown). */
  details?: Record<string, unknown>;
}

export function row(r: {
  figure: string;
  ours: number;
  peer?: number | null;
  goal?: string;
  /** Whether the goal is met, given ours and peer; null when it cannot tell (no peer). */
  check?: (ours: number, peer: number | null) => boolean | null;
  runs: number;
}): Row {
  const peer = r.peer ?? null;
  return {
    figure: r.figure,
    ours: round(r.ours),
    peer: peer === null ? null : round(peer),
    ratio: peer ? round(r.ours / peer) : null,
    goal: r.goal ?? '',
    met: r.check ? r.check(r.ours, peer) : null,
    runs: r.runs,
  };
}

export function skippedRow(figure: string, reason: string): Row {
  return { figure, ours: `skipped (${reason})`, peer: null, ratio: null, goal: '', met: null, runs: 0 };
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

export interface Report {
  date: string;
  commit: string;
  mode: { quick: boolean; soakMinutes: number } & Record<string, unknown>;
  machine: Machine;
  rows: Row[];
  invariants: Invariant[];
  details: Record<string, unknown>;
}

export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

const HEADERS = ['figure', 'ours', 'peer', 'ratio', 'goal', 'met?'];

function cells(r: Row): string[] {
  const met = r.met === null ? '' : r.met ? 'yes' : 'NO';
  return [
    r.figure,
    String(r.ours),
    r.peer === null ? '' : String(r.peer),
    r.ratio === null ? '' : `${r.ratio}`,
    r.goal,
    met,
  ];
}

export function consoleTable(rows: Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdown(rep: Report, notes: string[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const m = rep.machine;
  const out = [
    `Measured ${rep.date} at ${rep.commit} on ${m.cpu} (${m.cores} cores), Node ${m.node}, ${m.os}; ` +
      `${rep.mode.quick ? 'quick run' : 'full run'}, soak ${rep.mode.soakMinutes} min. Each figure is the median of the runs shown.`,
    '',
    `| ${HEADERS.join(' | ')} | runs |`,
    `|${HEADERS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}| ---: |`,
    ...rep.rows.map((r) => `| ${cells(r).map(esc).join(' | ')} | ${r.runs} |`),
    '',
    `Invariants: ${rep.invariants.every((i) => i.ok) ? 'all held' : 'BROKEN'}`,
    ...rep.invariants.map((i) => `- ${i.ok ? 'held' : '**BROKEN**'}: ${esc(i.name)} (${esc(i.detail)})`),
  ];
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}

/** latest.json, latest.md and a timestamped copy of the JSON; each written whole (temp file, rename). */
export function writeResults(dir: string, rep: Report, md: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(rep, null, 2)}\n`;
  const stamp = rep.date.replace(/[:.]/g, '-');
  const files = [join(dir, 'latest.json'), join(dir, `${stamp}.json`), join(dir, 'latest.md')];
  [json, json, md].forEach((text, i) => {
    writeFileSync(`${files[i]}.tmp`, text);
    renameSync(`${files[i]}.tmp`, files[i]);
  });
  return files;
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** Puts the table (and the invariants) of a full run between the README's bench markers. */
export function updateReadme(readme: string, rep: Report): string {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${readme} lacks the ${README_START} … ${README_END} markers`);
  const table = markdown(rep, []).trimEnd();
  const section = `${README_START}
${table}

How each figure is measured: [bench/results/latest.md](bench/results/latest.md).
`;
  writeFileSync(readme, text.slice(0, start) + section + text.slice(end));
  return readme;
}
