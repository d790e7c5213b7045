import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { e2eDir, repoRoot } from './paths.js';
import { run } from './processes.js';

/** The test-runner extension that runs test/host inside the extension host (see host-runner/). */
export const hostRunnerDir = join(repoRoot, 'test', 'e2e', 'host-runner');
export const hostTestsSrc = join(repoRoot, 'test', 'host');
export const hostTestsOut = join(e2eDir, 'host-tests');
/** Loaded by absolute path inside the extension host: the repo's own mocha, not a second copy. */
export const mochaPath = join(repoRoot, 'node_modules', 'mocha');

/** Bundles test/host/**\/*.test.ts to .e2e/host-tests/, keeping `vscode` (the host's) and `mocha` external. */
export async function compileHostTests(): Promise<void> {
  rmSync(hostTestsOut, { recursive: true, force: true });
  const entryPoints = (readdirSync(hostTestsSrc, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(hostTestsSrc, f));
  if (entryPoints.length === 0) throw new Error(`no host tests under ${hostTestsSrc}`);
  await build({
    entryPoints,
    outdir: hostTestsOut,
    outbase: hostTestsSrc,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/** Packs host-runner/ into a VSIX so code-server installs it the same way as the real extension. */
export async function packageHostRunner(): Promise<string> {
  const vsix = join(e2eDir, 'host-runner.vsix');
  const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
  await run(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], {
    cwd: hostRunnerDir,
  });
  return vsix;
}
