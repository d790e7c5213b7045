import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import lockfile from 'proper-lockfile';
import { ensurePrivateDir, probeSocket } from '../ipc/runtimeDir.js';
import { type HelperLog, startTokenHelperServer, type TokenHelperServer, type TokenSource } from './server.js';

/**
 * The user-wide token helper (setting `agentAuth.helper.userWide`): one socket per user at a
 * stable private path, so processes VS Code did not start (apiKeyHelper in ~/.claude, a global
 * git credential helper, kubeconfig, external terminals, tmux) reach whichever window is open.
 * One window serves it at a time; the others stand by and take over when it closes or dies.
 *
 * Beside the socket, `user.ipc` (mode 0600) names the socket (or the Windows pipe) on its first line
 * and the serving window's nonce on its second: both clients read it when no per-terminal
 * variables are set. The takeover runs under a lock, so two windows never both bind.
 */

export const RENDEZVOUS = 'user.ipc';
const SOCKET = 'user.sock';
const LOCK = 'user.lock';

/**
 * Linux: $XDG_RUNTIME_DIR/agent-auth (per user, tmpfs), else ~/.cache/agent-auth; macOS:
 * ~/Library/Application Support/agent-auth; Windows: %LOCALAPPDATA%\agent-auth. Never a shared
 * temporary folder. The clients (bin/) compute the same path.
 */
export function userWideDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (platform === 'win32') return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'agent-auth');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'agent-auth');
  const xdg = env.XDG_RUNTIME_DIR;
  return xdg && xdg.startsWith('/') ? join(xdg, 'agent-auth') : join(home, '.cache', 'agent-auth');
}

export interface UserWideOptions {
  source: TokenSource;
  log: HelperLog;
  /** Default userWideDir(). */
  dir?: string;
  /** How often a standing-by window checks whether the serving one is gone. Default 2 s. */
  retryMs?: number;
}

export interface UserWideHelper {
  /** This window serves the user-wide socket now. */
  readonly serving: boolean;
  /** Settles after the first attempt to serve. */
  readonly ready: Promise<void>;
  /** Stops serving (handing over to the next window) or standing by. */
  dispose(): Promise<void>;
}

export function startUserWideHelper(o: UserWideOptions): UserWideHelper {
  const dir = o.dir ?? userWideDir();
  const windows = process.platform === 'win32';
  let server: TokenHelperServer | undefined;
  let disposed = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> = Promise.resolve();

  const withLock = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = await lockfile.lock(join(dir, LOCK), {
      realpath: false,
      stale: 10_000,
      retries: { retries: 40, factor: 1.5, minTimeout: 25, maxTimeout: 500, randomize: true },
      onCompromised: (err) => o.log.warn(`User-wide token helper: lost the takeover lock (${err.message}).`),
    });
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  };

  const tryTakeOver = async () => {
    if (disposed || server) return;
    await withLock(async () => {
      if (disposed) return;
      const current = readRendezvous(dir);
      if (current && (await listening(current.ipc))) return;
      const ipc = windows ? `\\\\.\\pipe\\agent-auth-user-${randomBytes(8).toString('hex')}` : join(dir, SOCKET);
      if (!windows) removeIfPresent(ipc); // a socket nobody listens on: left by a window that died
      const s = await startTokenHelperServer({ source: o.source, log: o.log, listenAt: ipc });
      const tmp = join(dir, `${RENDEZVOUS}.${process.pid}.tmp`);
      writeFileSync(tmp, `${ipc}\n${s.env.AGENT_AUTH_NONCE}\n`, { mode: 0o600 });
      renameSync(tmp, join(dir, RENDEZVOUS));
      server = s;
      o.log.info(`User-wide token helper: this window now serves ${ipc}.`);
    });
  };

  const schedule = () => {
    if (disposed || server) return;
    timer = setTimeout(() => {
      attempt = tryTakeOver()
        .catch((err: Error) => o.log.warn(`User-wide token helper: could not take over (${err.message}); retrying.`))
        .finally(schedule);
    }, o.retryMs ?? 2_000);
    timer.unref();
  };

  const ready = (async () => {
    if (windows) mkdirSync(dir, { recursive: true });
    else ensurePrivateDir(dir);
    await tryTakeOver();
  })()
    .catch((err: Error) => o.log.error(`User-wide token helper: ${err.message}`))
    .finally(schedule);
  attempt = ready;

  return {
    get serving() {
      return !!server;
    },
    ready,
    async dispose() {
      disposed = true;
      clearTimeout(timer);
      await attempt.catch(() => undefined);
      const s = server;
      server = undefined;
      if (!s) return;
      // Under the lock: a standing-by window must not read the file while it names a closing socket.
      await withLock(async () => {
        await s.close();
        if (readRendezvous(dir)?.nonce === s.env.AGENT_AUTH_NONCE) removeIfPresent(join(dir, RENDEZVOUS));
      }).catch(() => s.close());
      o.log.info('User-wide token helper: this window stopped serving; another open window takes over.');
    },
  };
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function readRendezvous(dir: string): { ipc: string; nonce: string } | undefined {
  try {
    const [ipc, nonce] = readFileSync(join(dir, RENDEZVOUS), 'utf8').split('\n');
    return ipc && nonce ? { ipc, nonce } : undefined;
  } catch {
    return undefined;
  }
}

/** Someone accepts connections there. Only "nobody" (ENOENT, ECONNREFUSED) counts as gone; any other error leaves it alone. */
async function listening(ipc: string): Promise<boolean> {
  const r = await probeSocket(ipc);
  return r !== 'missing' && r !== 'refused';
}
