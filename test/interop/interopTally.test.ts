import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The `interop: <name> <n> passed, <n> failed` lines, from a child mocha run of a spec with every outcome. */
describe('interop summary lines', function () {
  this.timeout(30_000);

  it('count passes and failures per name; tests a failed hook kept from running count as failed, pending ones not', async () => {
    const spec = join(__dirname, '..', 'fixtures', 'interopTallySpec.ts');
    const out = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [require.resolve('mocha/bin/mocha.js'), '--no-config', '-r', 'tsx/cjs', '--reporter', 'dot', spec],
        (_err, stdout) => resolve(stdout),
      );
    });
    const lines = out.match(/interop: \S+ \d+ passed, \d+ failed/g);
    assert.deepEqual(lines, [
      'interop: tally-a 3 passed, 1 failed',
      'interop: tally-b 0 passed, 2 failed',
      'interop: tally-c 1 passed, 1 failed',
    ]);
  });
});
