// End-to-end suite: the packaged extension in a real VS Code driven by Playwright in Debian's
// Chromium, against the local OpenID provider, once on the oldest VS Code the manifest accepts
// (code-server 4.100.3) and once on the newest (code-server 4.139.1). `npm run test:e2e`;
// AGENT_AUTH_E2E_HOSTS=newest (or oldest) runs one host only.
import { mkdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { MCP_INTROSPECTION_CLIENT, startTestMcpServer, type TestMcpServer } from '../fixtures/mcpServer.js';
import { BASE_SETTINGS, type CodeServer, startCodeServer } from './codeServer.js';
import { compileHostTests, hostTestsOut, mochaPath, packageHostRunner } from './hostTests.js';
import { e2eDir, type Host, HOSTS, repoRoot, screenshotsDir } from './paths.js';
import { run } from './processes.js';
import { agentAuthSettings, agentSettings, type Flow, PROVIDER_ID } from './providerSettings.js';
import { breakdown, measurementLines, type Result, runScenarios, summary, selectScenarios } from './runner.js';
import { ArgvWatch } from '../support/leaks.js';
import { hostSuite } from './scenarios/hostSuite.js';
import { noTokenAtRest } from './scenarios/leaks.js';
import { mcpHttpServer, mcpSettings, type McpWorld } from './scenarios/mcp.js';
import { mcpBuiltinOAuthPeer, writePeerMcpJson } from './scenarios/mcpPeer.js';
import { countdownAndRefresh, refreshNowWithoutToast } from './scenarios/refresh.js';
import { authCodeSignIn, deviceCodeSignIn } from './scenarios/signIn.js';
import { signOut } from './scenarios/signOut.js';
import { twoAccounts } from './scenarios/accounts.js';
import { copyAccessToken, terminalHelper, terminalWithToken } from './scenarios/terminal.js';
import { NetworkPhase } from './network.js';
import { Workbench } from './workbench.js';
import type { World } from './world.js';
import { peersDir } from '../../src/peers/peerChannel.js';
import {
  CONFIDENTIAL_CLIENT_ID,
  CONFIDENTIAL_CLIENT_SECRET,
  clientSecret,
  confidentialProvider,
} from './scenarios/clientSecret.js';
import { addProviderScenario } from './scenarios/addProvider.js';
import { HOSTILE_PROVIDERS, hostileIdpText } from './scenarios/hostile.js';
import { trustGrantEnablesHelper } from './scenarios/trust.js';
import { NO_REFRESH_CLIENT, statusColoursWithoutRefresh } from './scenarios/statusColours.js';
import { gitFromSourceControl, seedGitRepos } from './scenarios/git.js';
import { userWideHelper } from './scenarios/userWide.js';
import { launchConfigurations } from './scenarios/launch.js';
import { otherExtension } from './scenarios/otherExtension.js';
import { type GitRemote, startGitRemote } from './gitRemote.js';
import { type TwoWindows, twoWebWindows, twoWebWindowsWithoutHandoff } from './scenarios/twoWindows.js';

const OVERALL_LIMIT_MS = 60 * 60_000;
/** test/host/untrusted.test.ts's suite: made for the Restricted Mode window, it skips itself in a trusted one. */
const RESTRICTED_MODE_SUITE = 'untrusted workspace: no tokens';
/** Short enough that a proactive refresh happens while the scenarios run. */
const ACCESS_TOKEN_TTL_S = 40;

let idp: TestIdp | undefined;
/** The test IdP's hostile profile (test/fixtures/idpHostile.ts), for the Restricted Mode window. */
let hostileIdp: TestIdp | undefined;
/** The two-windows scenarios' own IdP (30 s tokens). */
let idp2: TestIdp | undefined;
let cs: CodeServer | undefined;
let wb: Workbench | undefined;
let argv: ArgvWatch | undefined;
let gitRemote: GitRemote | undefined;
let mcp: TestMcpServer | undefined;
/** The same MCP server for VS Code's built-in MCP OAuth (the peer). */
let peer: TestMcpServer | undefined;
/** HTTPS with a private CA and proxies (network.ts), in windows of their own. */
let network: NetworkPhase | undefined;
const results: Result[] = [];
/** One line per host that ran, printed again at the end. */
const hostLines: string[] = [];

/** AGENT_AUTH_E2E_HOSTS=oldest,newest (the default: both). */
function selectedHosts(): Host[] {
  const want = (process.env.AGENT_AUTH_E2E_HOSTS ?? 'oldest,newest')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = want.filter((n) => !HOSTS.some((h) => h.name === n));
  if (unknown.length)
    throw new Error(
      `AGENT_AUTH_E2E_HOSTS: unknown host(s) ${unknown.join(', ')} (known: ${HOSTS.map((h) => h.name).join(', ')})`,
    );
  return HOSTS.filter((h) => want.includes(h.name));
}
const hostLabel = (h: Host) => `code-server ${h.codeServerVersion} (VS Code ${h.vscodeVersion})`;

async function teardown(): Promise<void> {
  await network?.stop();
  await argv?.stop();
  await wb?.close();
  await cs?.stop();
  await mcp?.close();
  await peer?.close();
  await gitRemote?.close();
  await idp?.close();
  await hostileIdp?.close();
  await idp2?.close();
}

/** The hosts' lines, the measurements, the two counts, and last the `N passed, N failed` line CI reads. */
function finish(code: number): never {
  for (const line of hostLines) console.log(line);
  for (const line of measurementLines(results)) console.log(line);
  console.log(breakdown(results));
  console.log(summary(results));
  process.exit(code);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const phase = (what: string) => console.log(`· ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const hosts = selectedHosts();
  rmSync(screenshotsDir, { recursive: true, force: true });
  mkdirSync(e2eDir, { recursive: true });

  phase('scripts/setup-e2e.sh');
  const setupArg = hosts.length === HOSTS.length ? [] : hosts.map((h) => h.name);
  await run('bash', [join(repoRoot, 'scripts', 'setup-e2e.sh'), ...setupArg], { cwd: repoRoot, echo: true });
  phase('npm run package, host tests, host runner');
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  // A host test that does not compile fails the host-tests scenario, not the whole run.
  const [, hostTestsCompileError, hostRunnerVsix] = await Promise.all([
    run('npm', ['run', 'package'], { cwd: repoRoot }),
    compileHostTests().then(
      () => undefined,
      (e: Error) => e.message,
    ),
    packageHostRunner(),
  ]);
  const built: Built = { vsix: join(repoRoot, `agent-auth-${version}.vsix`), hostRunnerVsix, hostTestsCompileError };
  for (const host of hosts) {
    const before = results.length;
    const started = Date.now();
    phase(`${hostLabel(host)}`);
    try {
      await runHost(host, built, phase);
    } catch (e) {
      console.error(`e2e: could not run the scenarios on ${hostLabel(host)}: ${(e as Error).stack ?? String(e)}`);
      results.push({ name: `harness (${host.name})`, ok: false, ms: 0, detail: (e as Error).message });
    } finally {
      await teardown();
      argv = wb = cs = idp = hostileIdp = idp2 = gitRemote = mcp = peer = network = undefined;
    }
    const ran = results.slice(before);
    const line = `e2e ${hostLabel(host)}: ${breakdown(ran)}; in all ${summary(ran)} in ${((Date.now() - started) / 1000).toFixed(0)} s`;
    hostLines.push(line);
    console.log(line);
  }
  phase('done');
}

interface Built {
  vsix: string;
  hostRunnerVsix: string;
  hostTestsCompileError?: string;
}

/**
 * The whole scenario list in one code-server; then the Restricted Mode host tests and the hostile
 * IdP in a second one; then two windows of one browser profile in a third (and its control).
 */
async function runHost(
  host: Host,
  { vsix, hostRunnerVsix, hostTestsCompileError }: Built,
  phase: (what: string) => void,
): Promise<void> {
  phase('test IdP and code-server');
  const newest = host.name === 'newest';
  idp = await startTestIdp({
    host: '127.0.0.2',
    accessTokenTtl: ACCESS_TOKEN_TTL_S,
    rotateRefreshTokens: true,
    extraClients: [
      {
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_secret: CONFIDENTIAL_CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      NO_REFRESH_CLIENT,
      { ...MCP_INTROSPECTION_CLIENT },
    ],
    // VS Code's built-in MCP OAuth registers its client dynamically, for the peer server as resource.
    registration: newest,
    acceptResource: (indicator) => indicator === peer?.url,
  });
  const root = join(e2eDir, `run-${host.name}`);
  const hostResultsFile = join(root, 'host-results.json');
  // The user's runtime folder, where the user-wide helper's socket goes (private, 0700, like /run/user/UID).
  // Outside `root`, which startCodeServer empties.
  const runtimeDir = join(e2eDir, `xdg-runtime-${host.name}`);
  // A home of its own: "Install Token Helper on PATH" writes to ~/.local/bin.
  const home = join(e2eDir, `home-${host.name}`);
  for (const d of [runtimeDir, home]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  const outDir = join(root, 'out');
  /** The host-runner extension spawns child processes asked for here (as another extension would). */
  const childDir = join(root, 'child');
  const agentRecord = join(outDir, 'agent.jsonl');
  const gitScratch = join(e2eDir, `git-remote-${host.name}`);
  gitRemote = await startGitRemote(gitScratch, idp);
  // MCP servers from extensions need VS Code 1.101: the newest host only.
  let mcpWorld: McpWorld | undefined;
  if (newest) {
    mcp = await startTestMcpServer({ issuer: idp.issuer });
    peer = await startTestMcpServer({ issuer: idp.issuer });
    mcpWorld = { server: mcp, dir: join(root, 'mcp') };
  }
  // git from the Source Control view gets the token for the IdP's host and the git remote's.
  const settingsFor = (flow: Flow) => ({
    ...agentAuthSettings(idp!.issuer, idp!.clientId, flow, [new URL(idp!.issuer).host, gitRemote!.host]),
    ...(mcpWorld && mcpSettings(mcpWorld.server.url, PROVIDER_ID)),
  });
  let currentFlow: Flow = 'authorizationCode';
  cs = await startCodeServer({
    host,
    root,
    settings: settingsFor('authorizationCode'),
    machineSettings: agentSettings(agentRecord),
    vsixes: [vsix, hostRunnerVsix],
    env: {
      // Left out by AGENT_AUTH_E2E_ONLY, the host tests must not run beside the scenarios: they change settings.
      ...(selectScenarios([{ name: 'host-tests', run: async () => undefined }]).length && {
        AGENT_AUTH_HOST_RESULTS: hostResultsFile,
        AGENT_AUTH_HOST_TESTS: hostTestsOut,
        AGENT_AUTH_MOCHA: mochaPath,
      }),
      AGENT_AUTH_E2E_ISSUER: idp.issuer,
      XDG_RUNTIME_DIR: runtimeDir,
      HOME: home,
      AGENT_AUTH_E2E_CHILD_DIR: childDir,
      ...(mcpWorld && { AGENT_AUTH_E2E_MCP_DIR: mcpWorld.dir }),
    },
  });
  mkdirSync(outDir, { recursive: true });
  mkdirSync(childDir, { recursive: true });
  if (mcpWorld) mkdirSync(mcpWorld.dir, { recursive: true });
  if (peer) writePeerMcpJson(cs.userDataDir, peer.url);
  // Before the window opens, so the git extension finds the repository when it scans the folder.
  const { repo } = seedGitRepos(gitRemote, cs.workspaceDir, gitScratch);
  phase(`workbench at ${cs.url}, IdP at ${idp.issuer}`);
  wb = await Workbench.open(cs.workbenchUrl);
  // Every 10 ms: a helper call lasts a few, but the shells and servers that hold tokens live longer.
  argv = new ArgvWatch(10);

  const w: World = {
    wb,
    idp,
    outDir,
    agentRecord,
    hostResultsFile,
    hostTestsCompileError,
    userDataDir: cs.userDataDir,
    workspaceDir: cs.workspaceDir,
    argv,
    useFlow: (flow) => {
      currentFlow = flow;
      return wb!.replaceUserSettings({ ...BASE_SETTINGS, ...settingsFor(flow) }, cs!.settingsFile);
    },
    restoreSettings: () => wb!.replaceUserSettings({ ...BASE_SETTINGS, ...settingsFor(currentFlow) }, cs!.settingsFile),
    settingsFile: cs.settingsFile,
    replaceSettings: (settings) => wb!.replaceUserSettings({ ...BASE_SETTINGS, ...settings }, cs!.settingsFile),
  };
  // The host tests run first: they start on their own when the workbench connects, and the UI
  // scenarios should not share the extension host with them.
  const scenarios = [
    // Every host test runs here but the Restricted Mode suite: one skipped otherwise means the window was not trusted.
    hostSuite(w, { noneSkipped: true, skippedHere: [RESTRICTED_MODE_SUITE] }),
    authCodeSignIn(w),
    countdownAndRefresh(w, ACCESS_TOKEN_TTL_S),
    refreshNowWithoutToast(w),
    terminalHelper(w),
    terminalWithToken(w),
    copyAccessToken(w),
    launchConfigurations(w),
    otherExtension(w, childDir),
    twoAccounts(w),
    gitFromSourceControl(w, gitRemote, repo),
    userWideHelper(
      w,
      () =>
        wb!.replaceUserSettings(
          { ...BASE_SETTINGS, ...settingsFor('authorizationCode'), 'agentAuth.helper.userWide': true },
          cs!.settingsFile,
        ),
      { home, runtimeDir, childDir },
    ),
    signOut(w),
    deviceCodeSignIn(w),
    ...(mcpWorld ? [mcpHttpServer(w, mcpWorld)] : []),
    // The same server through VS Code's built-in MCP OAuth: a measurement for the comparison (see mcpPeer.ts).
    ...(mcpWorld && peer
      ? [mcpBuiltinOAuthPeer(w, { server: peer, dir: mcpWorld.dir, agentAuth: () => mcpWorld.measured })]
      : []),
    clientSecret(w, (on) => {
      const base = settingsFor('deviceCode') as { 'agentAuth.providers': object[] };
      const providers = on
        ? [...base['agentAuth.providers'], confidentialProvider(idp!.issuer)]
        : base['agentAuth.providers'];
      return wb!.replaceUserSettings({ ...BASE_SETTINGS, ...base, 'agentAuth.providers': providers }, cs!.settingsFile);
    }),
    statusColoursWithoutRefresh(w),
    addProviderScenario(w),
    // Last: it closes the window.
    noTokenAtRest(w),
  ];
  const diagnostics = async () => `status bar: ${(await wb!.statusTexts()).join(' | ')}\n${cs!.logTail(25)}`;
  results.push(...(await runScenarios(scenarios, { page: () => wb?.page, diagnostics }, host.name)));

  // Restricted Mode needs a window of its own: workspace trust on, the folder never trusted.
  // Sign-in works there too, so the hostile IdP's providers are configured in it.
  const restrictedRoot = join(e2eDir, `run-${host.name}-restricted`);
  const restrictedResults = join(restrictedRoot, 'host-results.json');
  const restrictedOut = join(restrictedRoot, 'out');
  const restrictedScenarios = [
    hostSuite(
      { hostResultsFile: restrictedResults, hostTestsCompileError },
      { name: 'host-tests-restricted-mode', noneSkipped: true },
    ),
    hostileIdpText(() => wb!),
    trustGrantEnablesHelper(
      {
        get wb() {
          return wb!;
        },
        outDir: restrictedOut,
      },
      () => `${idp!.issuer}/me`,
      host,
    ),
  ];
  if (selectScenarios(restrictedScenarios).length) {
    phase('Restricted Mode: a second code-server whose workspace is not trusted');
    await wb.close();
    await cs.stop();
    hostileIdp = await startTestIdp({
      host: '127.0.0.2',
      hostile: { errors: true, verificationUri: true, account: true },
    });
    const ownProviders = (settingsFor('authorizationCode') as { 'agentAuth.providers': object[] })[
      'agentAuth.providers'
    ];
    cs = await startCodeServer({
      host,
      root: restrictedRoot,
      restricted: true,
      settings: {
        'agentAuth.providers': [...ownProviders, ...HOSTILE_PROVIDERS(hostileIdp.issuer, hostileIdp.clientId)],
      },
      vsixes: [vsix, hostRunnerVsix],
      env: {
        AGENT_AUTH_HOST_RESULTS: restrictedResults,
        AGENT_AUTH_HOST_TESTS: hostTestsOut,
        AGENT_AUTH_MOCHA: mochaPath,
        AGENT_AUTH_HOST_ONLY: 'untrusted.test.js',
      },
    });
    wb = await Workbench.open(cs.workbenchUrl);
    mkdirSync(restrictedOut, { recursive: true });
    results.push(
      ...(await runScenarios(
        restrictedScenarios,
        { page: () => wb?.page, diagnostics: async () => cs!.logTail(25) },
        host.name,
      )),
    );
  }

  // Two windows of one browser profile need a code-server and an IdP of their own: 30 s tokens,
  // and nobody else signing in or refreshing against them.
  const twoWindowsRoot = join(e2eDir, `run-${host.name}-two-windows`);
  const twoWindows: TwoWindows = {
    a: undefined as unknown as Workbench,
    bUrl: '',
    idp: undefined as unknown as TestIdp,
    outDir: join(twoWindowsRoot, 'out'),
    cycles: 3,
  };
  if (selectScenarios([twoWebWindows(twoWindows)]).length) {
    phase('two windows of one browser profile: their own code-server and IdP (30 s tokens)');
    await wb.close();
    await cs.stop();
    idp2 = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 30, rotateRefreshTokens: true });
    cs = await startCodeServer({
      host,
      root: twoWindowsRoot,
      settings: agentAuthSettings(idp2.issuer, idp2.clientId, 'authorizationCode'),
      vsixes: [vsix],
    });
    const folderB = join(twoWindowsRoot, 'workspace-b');
    mkdirSync(folderB, { recursive: true });
    mkdirSync(twoWindows.outDir, { recursive: true });
    wb = await Workbench.open(cs.workbenchUrl);
    Object.assign(twoWindows, { a: wb, idp: idp2, bUrl: `${cs.url}/?folder=${encodeURIComponent(folderB)}` });
    results.push(
      ...(await runScenarios(
        [twoWebWindows(twoWindows)],
        { page: () => wb?.page, diagnostics: async () => cs!.logTail(25) },
        host.name,
      )),
    );
  }
  const controlRoot = join(e2eDir, `run-${host.name}-two-windows-control`);
  const control: TwoWindows = { ...twoWindows, outDir: join(controlRoot, 'out'), b: undefined };
  if (selectScenarios([twoWebWindowsWithoutHandoff(control)]).length) {
    phase('control: the same two windows with the handoff unable to start');
    await wb.close();
    await cs.stop();
    idp2 ??= await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 30, rotateRefreshTokens: true });
    idp2.stats.reset();
    // The extension's runtime directory (XDG_RUNTIME_DIR/agent-auth) with the handoff folder of this
    // profile's lock folder open to others: every window refuses it, the token helper still works.
    const runtime = join(controlRoot, 'xdg');
    const lockDir = join(controlRoot, 'user-data', 'User', 'globalStorage', 'agentauth.agent-auth', 'locks');
    cs = await startCodeServer({
      host,
      root: controlRoot,
      settings: agentAuthSettings(idp2.issuer, idp2.clientId, 'authorizationCode'),
      vsixes: [vsix],
      env: { XDG_RUNTIME_DIR: runtime },
      beforeStart: () => {
        mkdirSync(join(runtime, 'agent-auth'), { recursive: true, mode: 0o700 });
        chmodSync(runtime, 0o700);
        const open = peersDir(join(runtime, 'agent-auth'), lockDir);
        mkdirSync(open, { recursive: true });
        chmodSync(open, 0o755);
      },
    });
    const folderB = join(controlRoot, 'workspace-b');
    mkdirSync(folderB, { recursive: true });
    wb = await Workbench.open(cs.workbenchUrl);
    Object.assign(control, { a: wb, idp: idp2, bUrl: `${cs.url}/?folder=${encodeURIComponent(folderB)}` });
    results.push(
      ...(await runScenarios(
        [twoWebWindowsWithoutHandoff(control)],
        { page: () => wb?.page, diagnostics: async () => cs!.logTail(25) },
        host.name,
      )),
    );
  }

  phase('network: HTTPS with a private CA, proxies');
  await wb.close();
  await cs.stop();
  network = new NetworkPhase({
    root: join(e2eDir, `run-network-${host.name}`),
    vsix,
    start: (o) => startCodeServer({ ...o, host }),
  });
  results.push(...(await network.run(phase)));
}

const limit = setTimeout(() => {
  console.error(`e2e: the overall time limit of ${OVERALL_LIMIT_MS / 60_000} min was reached`);
  results.push({ name: 'overall time limit', ok: false, ms: OVERALL_LIMIT_MS });
  void teardown().finally(() => finish(1));
}, OVERALL_LIMIT_MS);
// A rejection nobody handled is a failure of the run; it must not kill the run before teardown, though.
process.on('unhandledRejection', (e) => {
  const detail = (e as Error)?.stack ?? String(e);
  console.error(`e2e: unhandled rejection: ${detail}`);
  results.push({ name: 'unhandled rejection', ok: false, ms: 0, detail });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void teardown().finally(() => finish(130)));
}

main()
  .catch((e) => {
    console.error(`e2e: could not run the scenarios: ${(e as Error).stack ?? String(e)}`);
    results.push({ name: 'harness', ok: false, ms: 0, detail: (e as Error).message });
  })
  .finally(async () => {
    clearTimeout(limit);
    await teardown();
    finish(results.some((r) => !r.ok) ? 1 : 0);
  });
