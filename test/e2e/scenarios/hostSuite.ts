import { existsSync, readFileSync } from 'node:fs';
import type { Result, Scenario } from '../runner.js';
import { until, type World } from '../world.js';

interface HostResults {
  tests?: { title: string; ok: boolean; ms: number; error?: string }[];
  pending?: string[];
  error?: string;
}

/**
 * (f) The mocha tests of test/host, run by the host-runner extension inside code-server's extension
 * host; each counts as an in-host test. `noneSkipped`: the host was made for these tests, so a
 * skipped one fails the scenario (a trust regression would turn tests pending), except those whose
 * full title starts with one of `skippedHere` (suites made for another host, which skip themselves here).
 */
export function hostSuite(
  w: Pick<World, 'hostResultsFile' | 'hostTestsCompileError'>,
  o: { name?: string; noneSkipped?: boolean; skippedHere?: string[] } = {},
): Scenario {
  return {
    name: o.name ?? 'host-tests',
    kind: 'host',
    async run(step) {
      if (w.hostTestsCompileError) throw new Error(`test/host did not compile:\n${w.hostTestsCompileError}`);
      const r = await step(
        'host runner writes its results',
        async () => {
          const running = `${w.hostResultsFile}.running`;
          await until(`${w.hostResultsFile} from the in-host runner`, async () => existsSync(w.hostResultsFile), {
            timeoutMs: 90_000,
            seen: async () =>
              existsSync(running) ? `it is still in the test: ${readFileSync(running, 'utf8')}` : 'no test started',
          });
          return JSON.parse(readFileSync(w.hostResultsFile, 'utf8')) as HostResults;
        },
        { timeoutMs: 95_000 },
      );
      if (r.error) throw new Error(`the in-host runner failed before running tests:\n${r.error}`);
      const expected = (title: string) => (o.skippedHere ?? []).some((s) => title.startsWith(s));
      for (const p of r.pending ?? []) step.note(`skipped${expected(p) ? ' (made for another host)' : ''}: ${p}`);
      if (!r.tests?.length) throw new Error('the in-host runner ran no tests');
      // A skipped test here means the host was not in the state the tests are for.
      const unexpected = (r.pending ?? []).filter((p) => !expected(p));
      if (o.noneSkipped && unexpected.length)
        throw new Error(`${unexpected.length} test(s) skipped in a host made for them:\n${unexpected.join('\n')}`);
      return r.tests.map((t): Result => ({
        name: `host: ${t.title}`,
        ok: t.ok,
        ms: t.ms,
        detail: t.error,
        kind: 'host',
      }));
    },
  };
}
