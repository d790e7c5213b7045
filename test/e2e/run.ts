// End-to-end suite: the packaged extension in a real VS Code (code-server 4.100.3) driven by
// Playwright in Debian's Chromium, against the local OpenID provider. `npm run test:e2e`.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { BASE_SETTINGS, type CodeServer, startCodeServer } from './codeServer.js';
import { compileHostTests, hostTestsOut, mochaPath, packageHostRunner } from './hostTests.js';
import { e2eDir, repoRoot, screenshotsDir } from './paths.js';
import { run } from './processes.js';
import { agentAuthSettings, agentSettings, type Flow } from './providerSettings.js';
import { type Result, runScenarios, summary } from './runner.js';
import { ArgvWatch } from '../support/leaks.js';
import { hostSuite } from './scenarios/hostSuite.js';
import { noTokenAtRest } from './scenarios/leaks.js';
import { countdownAndRefresh } from './scenarios/refresh.js';
import { authCodeSignIn, deviceCodeSignIn } from './scenarios/signIn.js';
import { signOut } from './scenarios/signOut.js';
import { copyAccessToken, terminalHelper, terminalWithToken } from './scenarios/terminal.js';
import { NetworkPhase } from './network.js';
import { Workbench } from './workbench.js';
import type { World } from './world.js';

const OVERALL_LIMIT_MS = 15 * 60_000;
/** Short enough that a proactive refresh happens while the scenarios run. */
const ACCESS_TOKEN_TTL_S = 40;

let idp: TestIdp | undefined;
let cs: CodeServer | undefined;
let wb: Workbench | undefined;
let argv: ArgvWatch | undefined;
let network: NetworkPhase | undefined;
const results: Result[] = [];

async function teardown(): Promise<void> {
  await network?.stop();
  await argv?.stop();
  await wb?.close();
  await cs?.stop();
  await idp?.close();
}

function finish(code: number): never {
  console.log(summary(results));
  process.exit(code);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const phase = (what: string) => console.log(`· ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  rmSync(screenshotsDir, { recursive: true, force: true });
  mkdirSync(e2eDir, { recursive: true });

  phase('scripts/setup-e2e.sh');
  await run('bash', [join(repoRoot, 'scripts', 'setup-e2e.sh')], { cwd: repoRoot, echo: true });
  phase('npm run package, host tests, host runner');
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  // A host test that does not compile fails the host-tests scenario, not the whole run.
  const [, hostTestsCompileError, hostRunnerVsix] = await Promise.all([
    run('npm', ['run', 'package'], { cwd: repoRoot }),
    compileHostTests().then(() => undefined, (e: Error) => e.message),
    packageHostRunner(),
  ]);
  const vsix = join(repoRoot, `agent-auth-${version}.vsix`);
  // HTTPS with a private CA and proxies (scenarios/network.ts), in windows of their own.
  const runNetwork = async () => {
    phase('network: HTTPS with a private CA, proxies');
    network = new NetworkPhase({ root: join(e2eDir, 'run-network'), vsix, start: startCodeServer });
    results.push(...(await network.run(phase)));
  };
  const only = process.env.AGENT_AUTH_E2E_ONLY;
  if (only && only.split(',').every((n) => n.trim().startsWith('network-'))) return runNetwork();

  phase('test IdP and code-server');
  idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: ACCESS_TOKEN_TTL_S, rotateRefreshTokens: true });
  const root = join(e2eDir, 'run');
  const hostResultsFile = join(root, 'host-results.json');
  const outDir = join(root, 'out');
  const agentRecord = join(outDir, 'agent.jsonl');
  const settingsFor = (flow: Flow) => agentAuthSettings(idp!.issuer, idp!.clientId, flow);
  cs = await startCodeServer({
    root,
    settings: settingsFor('authorizationCode'),
    machineSettings: agentSettings(agentRecord),
    vsixes: [vsix, hostRunnerVsix],
    env: {
      AGENT_AUTH_HOST_RESULTS: hostResultsFile,
      AGENT_AUTH_HOST_TESTS: hostTestsOut,
      AGENT_AUTH_MOCHA: mochaPath,
      AGENT_AUTH_E2E_ISSUER: idp.issuer,
    },
  });
  mkdirSync(outDir, { recursive: true });
  phase(`workbench at ${cs.url}, IdP at ${idp.issuer}`);
  wb = await Workbench.open(cs.workbenchUrl);
  // Every 10 ms: a helper call lasts a few, but the shells and servers that hold tokens live longer.
  argv = new ArgvWatch(10);

  const w: World = {
    wb, idp, outDir, agentRecord, hostResultsFile, hostTestsCompileError,
    userDataDir: cs.userDataDir, workspaceDir: cs.workspaceDir, argv,
    useFlow: (flow) => wb!.replaceUserSettings({ ...BASE_SETTINGS, ...settingsFor(flow) }, cs!.settingsFile),
  };
  // The host tests run first: they start on their own when the workbench connects, and the UI
  // scenarios should not share the extension host with them.
  const scenarios = [
    hostSuite(w),
    authCodeSignIn(w),
    countdownAndRefresh(w, ACCESS_TOKEN_TTL_S),
    terminalHelper(w),
    terminalWithToken(w),
    copyAccessToken(w),
    signOut(w),
    deviceCodeSignIn(w),
    noTokenAtRest(w),
  ];
  results.push(
    ...(await runScenarios(scenarios, {
      page: () => wb?.page,
      diagnostics: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}\n${cs!.logTail(25)}`,
    })),
  );

  // Restricted Mode needs a window of its own: workspace trust on, the folder never trusted.
  phase('Restricted Mode: a second code-server whose workspace is not trusted');
  await wb.close();
  await cs.stop();
  const restrictedRoot = join(e2eDir, 'run-restricted');
  const restrictedResults = join(restrictedRoot, 'host-results.json');
  cs = await startCodeServer({
    root: restrictedRoot,
    restricted: true,
    settings: settingsFor('authorizationCode'),
    vsixes: [vsix, hostRunnerVsix],
    env: {
      AGENT_AUTH_HOST_RESULTS: restrictedResults,
      AGENT_AUTH_HOST_TESTS: hostTestsOut,
      AGENT_AUTH_MOCHA: mochaPath,
      AGENT_AUTH_HOST_ONLY: 'untrusted.test.js',
    },
  });
  wb = await Workbench.open(cs.workbenchUrl);
  results.push(
    ...(await runScenarios([hostSuite({ hostResultsFile: restrictedResults, hostTestsCompileError }, { name: 'host-tests-restricted-mode', noneSkipped: true })], {
      page: () => wb?.page,
      diagnostics: async () => cs!.logTail(25),
    })),
  );
  await wb.close();
  await cs.stop();
  await runNetwork();
  phase('done');
}

const limit = setTimeout(() => {
  console.error(`e2e: the overall time limit of ${OVERALL_LIMIT_MS / 60_000} min was reached`);
  results.push({ name: 'overall time limit', ok: false, ms: OVERALL_LIMIT_MS });
  void teardown().finally(() => finish(1));
}, OVERALL_LIMIT_MS);
// A step that timed out may still reject later; that must not kill the run before teardown.
process.on('unhandledRejection', (e) => console.error(`e2e: ignored a late failure: ${(e as Error)?.message ?? e}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void teardown().finally(() => finish(130)));
}

main()
  .catch((e) => {
    console.error(`e2e: could not run the scenarios: ${(e as Error).stack ?? e}`);
    results.push({ name: 'harness', ok: false, ms: 0, detail: (e as Error).message });
  })
  .finally(async () => {
    clearTimeout(limit);
    await teardown();
    finish(results.some((r) => !r.ok) ? 1 : 0);
  });
