import { benchHelper, type Latency } from '../helper.js';
import { type FigureResult, row, type Row, skippedRow } from '../report.js';
import { median } from '../stats.js';

/**
 * Figure 5, measured by bench/helper.ts: `agent-auth-token` against a real helper server, one
 * process per token as an agent runs it, next to `gh auth token` (a CLI printing a token it
 * already has) and the cost of spawning `/bin/true`. Goals as bench/helper.ts states them.
 */
export async function helperFigure(o: { calls: number; runs: number }): Promise<FigureResult> {
  const results: Awaited<ReturnType<typeof benchHelper>>[] = [];
  for (let i = 0; i < o.runs; i++) results.push(await benchHelper(o.calls));
  const med = (pick: (r: (typeof results)[number]) => Latency | undefined, q: keyof Latency) => {
    const xs = results
      .map(pick)
      .filter((l): l is Latency => !!l)
      .map((l) => l[q]);
    return xs.length ? median(xs) : null;
  };
  const ours = { p50: med((r) => r.ours, 'p50')!, p99: med((r) => r.ours, 'p99')! };
  const floorP50 = med((r) => r.floor, 'p50')!;
  const gh = { p50: med((r) => r.gh, 'p50'), p99: med((r) => r.gh, 'p99') };
  const vsGh = (figure: string, value: number, peer: number | null, goal?: { text: string; max: number }): Row =>
    peer === null
      ? skippedRow(figure, 'gh is not installed')
      : row({
          figure,
          ours: value,
          peer,
          goal: goal?.text,
          check: goal && ((x, p) => x / p! <= goal.max),
          runs: o.runs,
        });
  return {
    rows: [
      vsGh(`5a Token helper agent-auth-token, p50 ms over ${o.calls} spawns (vs gh auth token)`, ours.p50, gh.p50, {
        text: 'ratio ≤ 0.33',
        max: 0.33,
      }),
      vsGh(`5b Token helper agent-auth-token, p99 ms over ${o.calls} spawns (vs gh auth token)`, ours.p99, gh.p99),
      row({
        figure: `5c Token helper agent-auth-token, p50 ms over ${o.calls} spawns (vs spawning /bin/true)`,
        ours: ours.p50,
        peer: floorP50,
        goal: '≤ peer + 3 ms',
        check: (x, p) => x - p! <= 3,
        runs: o.runs,
      }),
    ],
    invariants: [],
    details: { runs: results },
  };
}
