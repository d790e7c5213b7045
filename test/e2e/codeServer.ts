import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Host, OLDEST } from './paths.js';
import { type Group, run, startGroup } from './processes.js';

/** A running code-server with throwaway user data, extensions and workspace. */
export interface CodeServer {
  url: string;
  /** The workbench URL with the workspace folder open. */
  workbenchUrl: string;
  userDataDir: string;
  workspaceDir: string;
  /** User settings.json; written before start, changed later only through the workbench. */
  settingsFile: string;
  /** The last lines of the Agent Auth log and the extension host's own log, for failure messages. */
  logTail(lines?: number): string;
  /** Settles when the code-server process ends, whoever ended it. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Wiped and recreated: holds user-data/, extensions/ and workspace/. */
  root: string;
  /** User settings on top of BASE_SETTINGS. Later changes must go through Workbench.replaceUserSettings. */
  settings: object;
  /** Machine settings: where a remote window reads machine-scoped settings such as agentAuth.agents. */
  machineSettings?: object;
  vsixes: string[];
  port?: number;
  /** Extra environment for code-server, inherited by its extension host and terminals. */
  env?: NodeJS.ProcessEnv;
  /** Workspace trust on, the folder never trusted: the window stays in Restricted Mode. */
  restricted?: boolean;
  /** Runs after the folders are made and before code-server starts (to prepare its environment). */
  beforeStart?: () => void;
  /** Which code-server; the oldest by default. */
  host?: Host;
}

const RESTRICTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
};

/** Settings without which nothing useful happens: Restricted Mode would keep extensions from activating. */
export const BASE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  // Not extensions.autoUpdate: VS Code 1.139 rewrites its `false` to "off" in the file, which
  // replaceUserSettings would take for a lost edit (autoCheckUpdates off is enough).
  'telemetry.telemetryLevel': 'off',
  // Newer VS Code opens settings.json in a modal over the workbench, where the palette cannot reach.
  'workbench.editor.useModal': 'off',
};

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const host = o.host ?? OLDEST;
  for (const f of [host.entry, host.node]) {
    if (!existsSync(f))
      throw new Error(
        `code-server ${host.codeServerVersion} is not installed (${f} is missing); run scripts/setup-e2e.sh`,
      );
  }
  rmSync(o.root, { recursive: true, force: true });
  const userDataDir = join(o.root, 'user-data');
  const extensionsDir = join(o.root, 'extensions');
  const workspace = join(o.root, 'workspace');
  for (const d of [join(userDataDir, 'User'), extensionsDir, workspace]) mkdirSync(d, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({ ...BASE_SETTINGS, ...o.settings, ...(o.restricted && RESTRICTED_SETTINGS) }, null, 2),
  );
  if (o.machineSettings) {
    mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(o.machineSettings, null, 2));
  }

  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (o.vsixes.length) {
    const out = await run(host.node, [host.entry, ...dirs, ...o.vsixes.flatMap((v) => ['--install-extension', v])]);
    const installed = (out.match(/was successfully installed/g) ?? []).length;
    if (installed !== o.vsixes.length)
      throw new Error(`installed ${installed} of ${o.vsixes.length} extensions:\n${out}`);
  }

  o.beforeStart?.();
  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const server = startGroup(
    host.node,
    [
      host.entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(o.restricted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      ...dirs,
      workspace,
    ],
    { env: { ...process.env, ...o.env } },
  );
  await waitHealthy(url, server);
  return {
    url,
    workbenchUrl: `${url}/?folder=${encodeURIComponent(workspace)}`,
    userDataDir,
    workspaceDir: workspace,
    settingsFile,
    logTail: (lines = 25) => logTail(userDataDir, lines),
    exited: new Promise((resolve) => server.child.once('exit', () => resolve())),
    stop: () => server.stop(),
  };
}

async function waitHealthy(url: string, server: Group): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null)
      throw new Error(`code-server exited with ${server.child.exitCode}:\n${server.output(30)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await server.stop();
  throw new Error(`code-server did not answer ${url}/healthz within 30 s:\n${server.output(30)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every file under `dir`, newest last. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

/**
 * code-server writes the extension host's logs under user-data/logs/<session>/exthost1/: one file
 * per log output channel (ours is "Agent Auth.log") and remoteexthost.log, of which only the
 * errors matter here (it also holds long warnings, such as the host tests' `vscode` requires).
 */
function logTail(userDataDir: string, lines: number): string {
  const files = filesUnder(join(userDataDir, 'logs'));
  const pick = (re: RegExp) => files.filter((f) => re.test(f)).at(-1);
  const parts: string[] = [];
  const add = (file: string | undefined, title: string, keep: (text: string) => string[]) => {
    if (!file) return;
    const kept = keep(readFileSync(file, 'utf8')).slice(-lines);
    parts.push(`--- ${title}: ${file.slice(userDataDir.length + 1)} (last ${kept.length} lines)`, ...kept);
  };
  add(pick(/Agent Auth\.log$/), 'extension log', (t) => t.trimEnd().split('\n'));
  add(pick(/exthost\.log$/), 'extension host errors', errorEntries);
  return parts.join('\n') || `(no extension host logs under ${userDataDir}/logs yet)`;
}

/** The lines of the log entries at [error] level, with their continuation lines (stacks). */
function errorEntries(text: string): string[] {
  const out: string[] = [];
  let keeping = false;
  for (const line of text.split('\n')) {
    if (/^\d{4}-\d\d-\d\d /.test(line)) keeping = line.includes('[error]');
    if (keeping && line.trim()) out.push(line);
  }
  return out;
}
