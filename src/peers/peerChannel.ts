import { createHash, randomBytes } from 'node:crypto';
import { link, lstat, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { exchangeLine, jsonLine, type LineLimits, readJsonLine, replyLine } from '../ipc/lineJson.js';
import { listenPrivately } from '../ipc/listen.js';
import { newNonce, nonceMatches } from '../ipc/nonce.js';
import { ensurePrivateDir, newSocketPath, removeStaleSockets } from '../ipc/runtimeDir.js';
import type { Logger } from '../protocol/log.js';
import type { PeerHandler, SessionPeers } from '../session/sync/peers.js';
import type { GenerationMarker } from '../session/sync/generationMarker.js';
import { type SessionRecord, SessionRecordSchema } from '../session/store/sessionRecord.js';
import {
  handedOverText,
  handoffOffText,
  noValidKeyText,
  notOnWindowsText,
  notPrivateKeyText,
  refusedKeyText,
} from './messages.js';

/**
 * Session handoff between the windows of one user, without SecretStorage and without disk.
 *
 * Why: in a web window (code-server, vscode.dev, Codespaces) SecretStorage lives in the browser
 * tab, so a session another window writes there never reaches this window; waiting for it (the
 * generation marker says it exists) waits forever. On the desktop the write arrives, late.
 *
 * Design: every window listens on a Unix socket of its own in a private folder under the token
 * helper's per-user runtime directory ($XDG_RUNTIME_DIR/agent-auth or <tmp>/agent-auth-<uid>):
 * `peers-<hash of the lock folder>/`, so only windows that share the lock folder (one VS Code
 * profile on one machine) meet. The folder is 0700 and ours (same-user boundary, as for the
 * helper), each socket is 0600, and every request carries the folder's key, 256 random bits in a
 * 0600 file created once (a process that can read it could read the sockets anyway; the key keeps
 * out anything that merely reaches a socket, e.g. through a looser mount or a forwarded path).
 * The protocol is one line of JSON each way per connection (src/ipc/lineJson.ts):
 *
 *   {"v":1,"key":K,"op":"push","session":S}                                  -> {"ok":true}
 *   {"v":1,"key":K,"op":"get","providerId":P,"sessionId":I,"generation":G}   -> {"ok":true,"session":S} | {"ok":false}
 *   {"v":1,"key":K,"op":"signedOut","providerId":P,"sessionId":I}           -> {"ok":true}
 *
 * The window that commits a session (sign-in or refresh, under the lock, marker written) pushes
 * it to all the others; a window that takes the lock and finds the marker ahead of its own store
 * asks the others for that exact generation. Every session that arrives is checked against
 * SessionRecordSchema here and against the marker by the lifecycle (never an older generation,
 * never a session the marker does not name) before it is used or stored; a sign-out notice is
 * taken only while no marker names that sign-in any more. Tokens travel only
 * through the sockets; nothing is written to disk but the key. Knows nothing of VS Code.
 */

const PROTOCOL_VERSION = 1;
const LIMITS: LineLimits = {
  /** A session entry is at most a few tokens of 16 KB each. */
  maxBytes: 256 * 1024,
  /** A peer that has not answered by then is skipped (it may be busy, suspended or gone). */
  timeoutMs: 1_500,
};
const KEY_FILE = 'key';

const Request = z.discriminatedUnion('op', [
  z.object({ v: z.literal(PROTOCOL_VERSION), key: z.string(), op: z.literal('push'), session: SessionRecordSchema }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    key: z.string(),
    op: z.literal('get'),
    providerId: z.string(),
    sessionId: z.string(),
    generation: z.number(),
  }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    key: z.string(),
    op: z.literal('signedOut'),
    providerId: z.string(),
    sessionId: z.string(),
  }),
]);
const Answer = z.object({ ok: z.boolean(), session: z.optional(SessionRecordSchema) });
type Answer = z.infer<typeof Answer>;

/** The peers folder for the windows that share `lockDir`, under the per-user `runtimeDir`. */
export function peersDir(runtimeDir: string, lockDir: string): string {
  return join(runtimeDir, `peers-${createHash('sha256').update(lockDir).digest('hex').slice(0, 16)}`);
}

export class PeerChannel implements SessionPeers {
  private handler: PeerHandler | undefined;
  private server: Server | undefined;
  private socketPath = '';
  private key = '';
  private readonly ready: Promise<boolean>;
  private closed = false;

  /** `dir` is created 0700 if missing and refused when it is someone else's, a link or open to others. */
  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.ready = this.start().then(
      () => true,
      (err: Error) => {
        log.warn(handoffOffText(err.message));
        return false;
      },
    );
  }

  /** Resolves once listening (true) or when the channel could not start (false, logged). */
  whenReady(): Promise<boolean> {
    return this.ready;
  }

  serve(handler: PeerHandler): { dispose(): void } {
    this.handler = handler;
    return { dispose: () => this.handler === handler && (this.handler = undefined) };
  }

  async publish(s: SessionRecord): Promise<void> {
    if (!(await this.ready)) return;
    const sent = await this.ask({ op: 'push', session: s });
    this.log.debug(handedOverText(s.generation, s.providerId, sent.filter((a) => a?.ok).length));
  }

  async publishSignOut(providerId: string, sessionId: string): Promise<void> {
    if (!(await this.ready)) return;
    await this.ask({ op: 'signedOut', providerId, sessionId });
  }

  async request(providerId: string, want: GenerationMarker): Promise<SessionRecord | undefined> {
    if (!(await this.ready)) return undefined;
    const answers = await this.ask({ op: 'get', providerId, sessionId: want.sessionId, generation: want.generation });
    return answers.find(
      (a) =>
        a?.session?.providerId === providerId &&
        a.session.sessionId === want.sessionId &&
        a.session.generation === want.generation,
    )?.session;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ready;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve())); // node unlinks the socket
  }

  private async start(): Promise<void> {
    if (process.platform === 'win32') throw new Error(notOnWindowsText());
    ensurePrivateDir(dirname(this.dir)); // the per-user runtime directory
    ensurePrivateDir(this.dir);
    this.key = await this.readOrCreateKey();
    await removeStaleSockets(this.dir).catch(() => []);
    this.socketPath = newSocketPath(this.dir);
    const server = createServer((socket) => readJsonLine(socket, LIMITS, (message) => this.handle(socket, message)));
    await listenPrivately(server, this.socketPath);
    this.server = server;
    if (this.closed) server.close();
  }

  /** Created once per folder, atomically (link fails if another window won), and checked on every start. */
  private async readOrCreateKey(): Promise<string> {
    const path = join(this.dir, KEY_FILE);
    const tmp = join(this.dir, `${KEY_FILE}.${randomBytes(8).toString('hex')}.tmp`);
    await writeFile(tmp, newNonce(), { flag: 'wx', mode: 0o600 });
    try {
      await link(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const st = await lstat(path);
    if (!st.isFile() || st.uid !== process.getuid?.() || st.mode & 0o077) throw new Error(notPrivateKeyText(path));
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length < 43) throw new Error(noValidKeyText(path));
    return key;
  }

  private handle(socket: Socket, message: unknown): void {
    const reply = (a: Answer): void => replyLine(socket, a);
    const key = (message as { key?: unknown } | null)?.key;
    if (!nonceMatches(this.key, typeof key === 'string' ? key : undefined)) {
      this.log.warn(refusedKeyText());
      return void socket.destroy();
    }
    const r = Request.safeParse(message);
    const h = this.handler;
    if (!r.success || !h) return reply({ ok: false });
    if (r.data.op === 'push') {
      reply({ ok: true });
      h.receive(r.data.session);
      return;
    }
    if (r.data.op === 'signedOut') {
      reply({ ok: true });
      h.signedOut(r.data.providerId, r.data.sessionId);
      return;
    }
    const s = h.lookup(r.data.providerId);
    const fits =
      s && s.providerId === r.data.providerId && s.sessionId === r.data.sessionId && s.generation >= r.data.generation;
    reply(fits ? { ok: true, session: s } : { ok: false });
  }

  /** Sends one request to every other window at once; undefined for those that did not answer in time. */
  private async ask(msg: Record<string, unknown>): Promise<(Answer | undefined)[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const line = jsonLine({ v: PROTOCOL_VERSION, key: this.key, ...msg });
    const peers = names
      .filter((n) => n.endsWith('.sock'))
      .map((n) => join(this.dir, n))
      .filter((p) => p !== this.socketPath);
    return Promise.all(
      peers.map(async (p) => {
        const r = Answer.safeParse(await exchangeLine(p, line, LIMITS));
        return r.success ? r.data : undefined;
      }),
    );
  }
}
