// `npm start [-- --port 8080]`: the extension in a real VS Code (code-server) on this machine,
// signed in against a local development IdP whose login page takes any user name. Ctrl-C stops it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestIdp } from '../test/fixtures/idp.js';
import { startCodeServer } from '../test/e2e/codeServer.js';
import { e2eDir, repoRoot } from '../test/e2e/paths.js';
import { run } from '../test/e2e/processes.js';
import { agentAuthSettings, ENV_VAR, PROVIDER_ID, PROVIDER_LABEL } from '../test/e2e/providerSettings.js';

/** Long enough to read, short enough to watch the countdown and a proactive refresh. */
const ACCESS_TOKEN_TTL_S = 120;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port must be a TCP port, not "${values.port}"`);

  console.log('Preparing: scripts/setup-e2e.sh oldest, then npm run package…');
  // The demo runs on the default host (startCodeServer's oldest): the newest is for the test suite.
  await run('bash', [join(repoRoot, 'scripts', 'setup-e2e.sh'), 'oldest'], { cwd: repoRoot, echo: true });
  await run('npm', ['run', 'package'], { cwd: repoRoot });
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

  // 127.0.0.2, not 127.0.0.1: code-server rewrites openExternal of 127.0.0.1 URLs to its port proxy.
  const idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: ACCESS_TOKEN_TTL_S });
  const cs = await startCodeServer({
    root: join(e2eDir, 'demo'),
    port,
    settings: agentAuthSettings(idp.issuer, idp.clientId, 'authorizationCode'),
    vsixes: [join(repoRoot, `agent-auth-${version}.vsix`)],
  }).catch(async (e) => {
    await idp.close();
    throw e;
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping code-server and the IdP…');
    await cs.stop();
    await idp.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void cs.exited.then(() => {
    if (!stopping) console.error('demo: code-server stopped unexpectedly.');
    void stop(1);
  });

  console.log(`
Agent Auth demo is running.
  VS Code:  ${cs.workbenchUrl}
  IdP:      ${idp.issuer}  (any user name signs in; access tokens live ${ACCESS_TOKEN_TTL_S} s)

Open the VS Code address in a browser on this machine (the sign-in redirect comes back to
127.0.0.1), then:
  1. F1 → "Agent Auth: Sign In" → "Open" → type any name → "Sign in" → close the tab.
  2. The status bar shows "${PROVIDER_LABEL}" counting down; the token refreshes itself before it expires.
  3. F1 → "Agent Auth: New Terminal with Token" has $${ENV_VAR}; every terminal has agent-auth-token ${PROVIDER_ID}.
Change settings inside VS Code (F1 → "Preferences: Open User Settings (JSON)"): code-server
does not notice edits made to ${join(cs.userDataDir, 'User', 'settings.json')} from outside.
Ctrl-C stops everything.`);
}

main().catch((e) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});
