import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { accessSync, constants, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { IssuedToken } from '../../src/helper/protocol.js';
import { startTokenHelperServer, type TokenHelperServer, type TokenSource } from '../../src/helper/server.js';
import { type ProcessResult, runProcess } from '../support/runProcess.js';

/**
 * A real helper server fed by an in-memory token table, and the real `agent-auth-token` run as a
 * child process. `source.calls` records what the server asked for.
 */

export type Tokens = Record<
  string,
  Omit<IssuedToken, 'providerId'> & { idToken?: { token: string; expiresAt: number } }
>;

export class MapSource implements TokenSource {
  readonly calls: (string | undefined)[] = [];
  delayMs = 0;
  constructor(readonly tokens: Tokens) {}

  async getIdToken(providerId: string | undefined): Promise<IssuedToken> {
    const t = await this.getAccessToken(providerId);
    const id = this.tokens[t.providerId].idToken;
    if (!id) throw new Error(`Agent Auth: ${t.providerId} issued no ID token.`);
    return { providerId: t.providerId, accessToken: id.token, expiresAt: id.expiresAt };
  }

  async getAccessToken(providerId: string | undefined): Promise<IssuedToken> {
    this.calls.push(providerId);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const ids = Object.keys(this.tokens);
    if (providerId === undefined) {
      if (ids.length !== 1) throw new Error(`Several providers are signed in; name one of: ${ids.join(', ')}.`);
      providerId = ids[0]!;
    }
    const t = this.tokens[providerId];
    if (!t) throw new Error(`Agent Auth: not signed in to '${providerId}'. Run 'Agent Auth: Sign In'.`);
    return { providerId, ...t };
  }
}

export class LogLines {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
}

export interface Helper {
  server: TokenHelperServer;
  source: MapSource;
  log: LogLines;
  /** process.env plus the server's variables. */
  env: NodeJS.ProcessEnv;
}

export const HOUR = 3_600_000;

export async function startHelper(tokens: Tokens, dir?: string): Promise<Helper> {
  const source = new MapSource(tokens);
  const log = new LogLines();
  const server = await startTokenHelperServer({ dir, source, log });
  return { server, source, log, env: { ...process.env, ...server.env } };
}

export type Run = ProcessResult;

/** The two clients of the same protocol: the POSIX script and the Node one (what Windows runs). */
export interface Client {
  name: string;
  /** The argv that starts it, before its own arguments. */
  argv: string[];
  /** It runs `exec`'s command in its own process (the POSIX script's exec); Node can only spawn and wait. */
  execReplacesItself: boolean;
  /** The ways it reaches the server, by which tools PATH offers. */
  transports(): Transport[];
}

export const BIN = join(__dirname, '../../bin');

export function clients(): Client[] {
  return [
    { name: 'POSIX script', argv: [join(BIN, 'agent-auth-token')], execReplacesItself: true, transports },
    {
      name: 'Node client',
      argv: [process.execPath, join(BIN, 'agent-auth-token.js')],
      execReplacesItself: false,
      transports: () => [{ name: 'node', env: (b) => b }],
    },
  ];
}

export function runHelper(args: string[], env: NodeJS.ProcessEnv, input = '', client?: Client): Promise<Run> {
  const [cmd, ...pre] = client?.argv ?? [env.AGENT_AUTH_TOKEN_HELPER ?? join(BIN, 'agent-auth-token')];
  return runProcess([cmd, ...pre, ...args], { env, input });
}

/** How the CLI reaches the server depends on which tools PATH offers. */
export interface Transport {
  name: string;
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

const toolDirs: string[] = [];

/** A PATH holding only `tools`, so the script cannot fall back to anything else. */
export function pathWith(...tools: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-auth-path-'));
  toolDirs.push(dir);
  for (const t of tools) symlinkSync(which(t), join(dir, t));
  return dir;
}

export function removeToolDirs(): void {
  for (const d of toolDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function transports(): Transport[] {
  const perl = pathWith('perl');
  const curl = pathWith('curl');
  const none = pathWith();
  return [
    { name: 'perl', env: (b) => ({ ...b, PATH: perl }) },
    { name: 'curl (no perl)', env: (b) => ({ ...b, PATH: curl }) },
    { name: 'node (no perl, no curl)', env: (b) => ({ ...b, PATH: none, AGENT_AUTH_NODE: process.execPath }) },
  ];
}

export function which(tool: string): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(d, tool), constants.X_OK);
      return join(d, tool);
    } catch {
      // not in this one
    }
  }
  throw new Error(`${tool} is not installed; the helper tests need it`);
}

/** A socket file nobody listens on: what a crashed window leaves behind. */
export async function deadSocket(path: string): Promise<void> {
  const listen = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** Sends `text` as is and reads until the server closes; `closedAfterMs` says when that was. */
export function rawRequest(
  socketPath: string,
  text: string,
): Promise<{ status: number; body: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const s = connect(socketPath);
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    s.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body, closedAfterMs: Date.now() - start });
    });
    if (text) s.write(text);
  });
}
