// The host tests (test/host) in desktop VS Code via @vscode/test-electron, for contributors with
// internet access: `npm run test:electron`. NOT run in CI: it downloads VS Code from
// update.code.visualstudio.com, which these machines cannot reach; CI runs the same tests inside
// code-server through `npm run test:e2e` (the host-tests scenario).
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { compileHostTests, hostRunnerDir, hostTestsOut, mochaPath } from './hostTests.js';
import { repoRoot } from './paths.js';
import { run } from './processes.js';

async function main(): Promise<void> {
  await run('npm', ['run', 'build'], { cwd: repoRoot });
  await compileHostTests();
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(hostRunnerDir, 'electronEntry.js'),
    extensionTestsEnv: { AGENT_AUTH_HOST_TESTS: hostTestsOut, AGENT_AUTH_MOCHA: mochaPath },
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e) => {
  console.error(`electron host tests: ${(e as Error).message}`);
  process.exit(1);
});
