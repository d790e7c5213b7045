/**
 * The private per-user runtime folder where local sockets live (POSIX only): the token helper's
 * (src/helper) and the window handoff's (src/peers, in a subfolder). A directory only this user can
 * enter, so a socket is out of other users' reach even before its own mode is set, and sockets left
 * by windows that crashed are swept by the next one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sun_path holds 108 bytes on Linux and 104 on macOS; stay below both. */
const MAX_SOCKET_PATH_BYTES = 100;
const SOCKET_NAME = /^[0-9a-f]{16}\.sock$/;
/** A socket this young may belong to a server between bind() and listen(): never sweep it. */
const STALE_AFTER_MS = 10_000;

const uid = () => process.getuid?.() ?? -1;

/** $XDG_RUNTIME_DIR/agent-auth when the session has one (per user, tmpfs), else <tmp>/agent-auth-<uid>. */
export function defaultRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && xdg.startsWith('/') && existsSync(xdg)) return join(xdg, 'agent-auth');
  return join(tmpdir(), `agent-auth-${uid()}`);
}

/** Creates `dir` with mode 0700 if needed and refuses one that is a symlink, someone else's, or open to others. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const refuse = (why: string) => new Error(`refusing to put the token helper's socket in ${dir}: ${why}`);
  if (st.isSymbolicLink()) throw refuse('it is a symbolic link');
  if (!st.isDirectory()) throw refuse('it is not a directory');
  if (st.uid !== uid()) throw refuse(`it belongs to user ${st.uid}`);
  if (st.mode & 0o077) throw refuse(`other users can access it (mode ${(st.mode & 0o777).toString(8)})`);
}

/**
 * The default directory when it is ours and private; otherwise (another user created
 * <tmp>/agent-auth-<uid> first, or opened it up) a fresh directory from mkdtemp, which nobody can
 * have prepared: the name is random and mkdtemp creates it 0700. `remove` deletes that fresh one.
 */
export function privateRuntimeDir(
  preferred: string,
  log: { warn(m: string): void },
): { dir: string; fresh: boolean; remove(): void } {
  try {
    ensurePrivateDir(preferred);
    return { dir: preferred, fresh: false, remove() {} };
  } catch (err) {
    const dir = mkdtempSync(join(tmpdir(), 'agent-auth-'));
    ensurePrivateDir(dir);
    log.warn(`Token helper: ${(err as Error).message}; using the fresh private directory ${dir} instead.`);
    return { dir, fresh: true, remove: () => rmSync(dir, { recursive: true, force: true }) };
  }
}

export function newSocketPath(dir: string): string {
  const path = join(dir, `${randomBytes(8).toString('hex')}.sock`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`the socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter directory`);
  }
  return path;
}

/** Removes our sockets that nobody listens on any more; returns their names. */
export async function removeStaleSockets(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!SOCKET_NAME.test(name)) continue;
    const path = join(dir, name);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st?.isSocket() || st.uid !== uid() || now - st.mtimeMs < STALE_AFTER_MS) continue;
    // ECONNREFUSED is the kernel saying no process holds this socket open: the only proof of death we act on.
    if ((await probeSocket(path)) !== 'refused') continue;
    try {
      unlinkSync(path);
      removed.push(name);
    } catch {
      // Another window swept it first.
    }
  }
  return removed;
}

/**
 * What connecting to a Unix socket (or a Windows named pipe) says: someone accepts connections,
 * nobody holds it open (ECONNREFUSED), it does not exist (ENOENT), or some other error.
 */
export function probeSocket(path: string): Promise<'accepts' | 'refused' | 'missing' | 'error'> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve('accepts');
    });
    s.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ENOENT' ? 'missing' : 'error'),
    );
  });
}
