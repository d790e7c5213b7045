import type { Suite } from 'mocha';

/**
 * The interop matrix: `interopSuite(name, fn)` is a `describe` whose tests count towards the line
 * `interop: <name> <n> passed, <n> failed`, printed once at the end of the run for every name
 * (several suites, in several files, may share one name). Tests that never ran because a hook of
 * theirs failed (an IdP that did not start) count as failed; tests left out by --grep or marked
 * pending count as neither.
 */

const tally = new Map<string, { passed: number; failed: number }>();
let registered = false;

export function interopSuite(name: string, fn: (this: Suite) => void): Suite {
  if (!tally.has(name)) tally.set(name, { passed: 0, failed: 0 });
  if (!registered) {
    registered = true;
    // Called at a spec file's top level, so this is a root hook: it runs after every file.
    after(() => {
      for (const [idp, n] of tally) console.log(`interop: ${idp} ${n.passed} passed, ${n.failed} failed`);
    });
  }
  return describe(`interop: ${name}`, function () {
    after(function () {
      const n = tally.get(name)!;
      const counted = count(this.test!.parent!);
      n.passed += counted.passed;
      n.failed += counted.failed;
    });
    fn.call(this);
  });
}

function count(suite: Suite, hookFailed = false): { passed: number; failed: number } {
  const hooks = [
    ...suiteHooks(suite, '_beforeAll'),
    ...suiteHooks(suite, '_beforeEach'),
    ...suiteHooks(suite, '_afterEach'),
  ];
  const blocked = hookFailed || hooks.some((h) => h.state === 'failed');
  let passed = 0;
  let failed = 0;
  for (const t of suite.tests) {
    if (t.state === 'passed') passed++;
    else if (t.state === 'failed' || (t.state === undefined && blocked && !t.isPending())) failed++;
  }
  for (const child of suite.suites) {
    const c = count(child, blocked);
    passed += c.passed;
    failed += c.failed;
  }
  return { passed, failed };
}

/** Mocha keeps a suite's hooks in these (undocumented but stable since Mocha 2) arrays. */
const suiteHooks = (suite: Suite, key: '_beforeAll' | '_beforeEach' | '_afterEach') =>
  (suite as unknown as Record<string, { state?: string }[]>)[key] ?? [];
