// `npm run bench [-- --quick] [-- --soak-minutes=N] [-- --only=1,3]`: each figure next to a peer
// measured in the same run, one table, results in bench/results/. Timings are reported, never
// asserted: the exit code is non-zero only when an invariant breaks (a refresh token redeemed
// twice, an expired token handed out, more than one request for a single-flight refresh).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/e2e/paths.js';
import { run } from '../test/e2e/processes.js';
import { activationFigure } from './figures/activation.js';
import { handoutFigure } from './figures/handout.js';
import { helperFigure } from './figures/helper.js';
import { refreshFigure } from './figures/refresh.js';
import { sizeFigure } from './figures/size.js';
import { soakFigure } from './figures/soak.js';
import {
  consoleTable,
  type FigureResult,
  gitCommit,
  machine,
  markdown,
  type Report,
  skippedRow,
  updateReadme,
  writeResults,
} from './report.js';

interface Options {
  quick: boolean;
  soakMinutes: number;
  only?: Set<number>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, soakMinutes: 10 };
  let soakGiven = false;
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a.startsWith('--soak-minutes=')) {
      o.soakMinutes = Number(a.slice('--soak-minutes='.length));
      soakGiven = true;
      if (!(o.soakMinutes > 0)) throw new Error(`--soak-minutes must be a positive number, not ${a}`);
    } else if (a.startsWith('--only=')) o.only = new Set(a.slice('--only='.length).split(',').map(Number));
    else throw new Error(`unknown argument ${a}; use --quick, --soak-minutes=N, --only=1,2,...`);
  }
  if (o.quick && !soakGiven) o.soakMinutes = 1;
  return o;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const n = o.quick
    ? { hostSamples: 3, coldSamples: 10, hotRuns: 3, rounds: 5, refreshRuns: 10, helperCalls: 100, helperRuns: 3 }
    : { hostSamples: 5, coldSamples: 30, hotRuns: 7, rounds: 15, refreshRuns: 30, helperCalls: 500, helperRuns: 3 };
  const wanted = (figure: number) => !o.only || o.only.has(figure);
  const t0 = Date.now();
  const phase = (what: string) => console.log(`· ${what} (${Math.round((Date.now() - t0) / 1000)} s)`);

  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const vsix = join(repoRoot, `agent-auth-${version}.vsix`);
  if (wanted(1) || wanted(2)) {
    phase('npm run package');
    await run('npm', ['run', 'package'], { cwd: repoRoot });
  }

  const figures: [number, string, () => Promise<FigureResult>][] = [
    [2, 'size', () => sizeFigure(vsix)],
    [1, 'activation', () => activationFigure({ vsix, hostSamples: n.hostSamples, coldSamples: n.coldSamples })],
    [3, 'token hand-out', () => handoutFigure({ calls: 100_000, runs: n.hotRuns, callers: 1_000, rounds: n.rounds })],
    [4, 'refresh cost', () => refreshFigure(n.refreshRuns)],
    [5, 'token helper', () => helperFigure({ calls: n.helperCalls, runs: n.helperRuns })],
    [6, `soak (${o.soakMinutes} min)`, () => soakFigure(o.soakMinutes)],
  ];
  const results: [number, FigureResult][] = [];
  for (const [no, name, measure] of figures) {
    if (!wanted(no)) continue;
    phase(`figure ${no}: ${name}`);
    try {
      results.push([no, await measure()]);
    } catch (e) {
      // A figure that could not be measured is reported as such; it is not a broken invariant.
      console.error(`  figure ${no} failed: ${(e as Error).stack ?? String(e)}`);
      results.push([no, { rows: [skippedRow(`${no} ${name}`, `failed: ${firstLine(e)}`)], invariants: [] }]);
    }
  }
  results.sort((a, b) => a[0] - b[0]);

  const report: Report = {
    date: new Date().toISOString(),
    commit: gitCommit(repoRoot),
    mode: { quick: o.quick, soakMinutes: o.soakMinutes, only: o.only ? [...o.only] : 'all', ...n },
    machine: machine(),
    rows: results.flatMap(([, r]) => r.rows),
    invariants: results.flatMap(([, r]) => r.invariants),
    details: Object.fromEntries(results.filter(([, r]) => r.details).map(([no, r]) => [`figure${no}`, r.details])),
  };
  const inputs = (report.details.figure2 as { topBundledInputs?: { name: string; kb: number }[] } | undefined)
    ?.topBundledInputs;
  const notes = methodNotes(inputs);
  const files = writeResults(join(__dirname, 'results'), report, markdown(report, notes));
  // Only a full run speaks for the project in its README.
  if (!o.quick && !o.only) files.push(updateReadme(join(__dirname, '..', 'README.md'), report));

  const m = report.machine;
  console.log(
    `\n${m.cpu}, ${m.cores} cores, Node ${m.node}; ${o.quick ? 'quick' : 'full'} run; medians of the runs in results JSON\n`,
  );
  console.log(consoleTable(report.rows));
  if (inputs) console.log(`\nTop bundled inputs (KB): ${inputs.map((i) => `${i.name} ${i.kb}`).join(', ')}`);
  const broken = report.invariants.filter((i) => !i.ok);
  console.log(`\nInvariants: ${report.invariants.length - broken.length} held, ${broken.length} broken`);
  for (const i of report.invariants) console.log(`  ${i.ok ? 'held  ' : 'BROKEN'} ${i.name}: ${i.detail}`);
  console.log(`\nWrote ${files.map((f) => f.slice(repoRoot.length + 1)).join(', ')}`);
  return broken.length ? 1 : 0;
}

/** How each figure was measured, for the markdown under the table. */
function methodNotes(inputs?: { name: string; kb: number }[]): string[] {
  return [
    '1a: the Node extension host\'s own marks (code/extHost/{will,did}LoadExtensionCode and {will,did}ActivateExtension, the Date.now() stamps behind "Developer: Show Running Extensions"), read by a probe extension in the same host; load + activate, median over code-server starts. Agent Auth activates at startup (onStartupFinished) amid other extensions; github-authentication is activated on demand by the probe once the host is idle, kept in the Node host with `remote.extensionKind` (it would otherwise run its web build in the browser).',
    '1b: a fresh `node` process per sample; `vscode` is a fake module (bench/activation/fakeVscode.cjs) that answers every API call with an inert object. It is only a bench harness, not a test double; both bundles get the same one.',
    inputs
      ? `2: top bundled inputs of dist/extension.js (esbuild metafile, KB): ${inputs.map((i) => `${i.name} ${i.kb}`).join(', ')}.`
      : '',
    '3: per-call timing with performance.now() around each awaited call; the floor is `await Promise.resolve(map.get(id))` timed the same way. The refresh rounds start 0.7 s before a 2 s token expires, with minValiditySeconds 1, so the callers cause the refresh; the bare POST is a refresh_token grant with fetch on a separate grant of the same IdP.',
    '4: refreshNow() after sign-in (lock, store re-read, redemption claim, POST, store write, marker). Requests are counted at globalThis.fetch (any host, so discovery would show), bytes by a TCP relay in front of the token endpoint; the bare POST goes through the same relay.',
    '5: bench/helper.ts: sequential spawns, p50/p99 per run; `gh auth token` with GH_TOKEN set.',
    '6: oidc-provider 8 with 10 s access tokens and refresh-token rotation; each process asks every 100 ms, checks expiry and introspects each new token at the IdP; resources sampled after a warm-up of a tenth of the soak (10-60 s) and at the end (RSS median and fewest handles of 5 samples, after gc()).',
  ].filter(Boolean);
}

const firstLine = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]
    .slice(0, 160);

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
