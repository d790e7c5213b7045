import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { NOTIFICATION_MAX, serverText } from '../protocol/serverText.js';
import { ensureExecutable, HELPER_NAME, helperBinDir, helperScript } from './binDir.js';
import { listenPrivately } from '../ipc/listen.js';
import { newNonce, nonceMatches } from '../ipc/nonce.js';
import { formatToken, HelperError, NONCE_HEADER, parseTokenRequest, type IssuedToken } from './protocol.js';
import {
  defaultRuntimeDir,
  ensurePrivateDir,
  newSocketPath,
  privateRuntimeDir,
  removeStaleSockets,
} from '../ipc/runtimeDir.js';

/**
 * The token helper server: runs in the extension host and answers `agent-auth-token` (bin/) from
 * the terminals, tasks and agents of this window over a local socket. Free of `vscode`.
 */

export interface TokenSource {
  /** A valid token, refreshed first if needed; throws an Error with a user-readable message when it cannot. */
  getAccessToken(
    providerId: string | undefined,
    opts: { minValiditySeconds?: number; forceRefresh?: boolean; maxWaitMs?: number },
  ): Promise<IssuedToken>;
  /** The provider's current OpenID Connect ID token (in `accessToken`) and its expiry; throws like getAccessToken when there is none. */
  getIdToken(providerId: string | undefined): Promise<IssuedToken>;
}

export interface HelperLog {
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}

export interface TokenHelperServerOptions {
  /**
   * Where the socket goes; created with mode 0700, refused if not private. Default:
   * $XDG_RUNTIME_DIR/agent-auth or <tmp>/agent-auth-<uid>, and when that one is refused a fresh
   * mkdtemp directory. Ignored on Windows.
   */
  dir?: string;
  /** Listen exactly here instead (a socket path or a Windows pipe name); fails with EADDRINUSE when taken. */
  listenAt?: string;
  source: TokenSource;
  log?: HelperLog;
}

export interface TokenHelperServer {
  /** For every terminal and child process; the caller also puts `binDir` first on PATH. */
  env: Record<string, string>;
  binDir: string;
  close(): Promise<void>;
}

/** Requests are one short GET; anything bigger is not ours. */
const MAX_REQUEST_BYTES = 4096;
/** A connection that has not sent its request by then is dropped. */
const IDLE_MS = 5000;
/** `agent-auth-token` never waits longer than this for a token (the bound is 10 s); past it, it says why. */
export const HELPER_MAX_WAIT_MS = 8_000;

const quiet: HelperLog = { info() {}, warn() {}, error() {} };

export async function startTokenHelperServer(opts: TokenHelperServerOptions): Promise<TokenHelperServer> {
  const log = opts.log ?? quiet;
  const binDir = helperBinDir();
  ensureExecutable(join(binDir, HELPER_NAME));
  const nonce = newNonce();
  const channel = opts.listenAt ? { path: opts.listenAt, remove() {} } : await channelPath(opts.dir, log);
  const socketPath = channel.path;

  const server = createServer(
    { maxHeaderSize: MAX_REQUEST_BYTES },
    (req, res) => void answer(req, res, nonce, opts.source, log),
  );
  server.on('connection', (socket) => socket.setTimeout(IDLE_MS)); // node's http server destroys a socket on timeout
  server.on('request', (req: IncomingMessage) => req.socket.setTimeout(0)); // fetching the token may take longer
  await listenPrivately(server, socketPath); // socket 0600 at once; the 0700 directory guards the moment before
  log.info(`Token helper listening on ${socketPath}`);

  return {
    env: {
      AGENT_AUTH_TOKEN_HELPER: helperScript(binDir),
      AGENT_AUTH_IPC: socketPath,
      AGENT_AUTH_NONCE: nonce,
      // The fallback client runs on the extension host's own runtime (Electron acts as Node with ELECTRON_RUN_AS_NODE).
      AGENT_AUTH_NODE: process.execPath,
    },
    binDir,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          channel.remove(); // a fresh fallback directory goes with its socket
          resolve();
        }); // node unlinks the socket file
        server.closeAllConnections();
      }),
  };
}

/**
 * POSIX: a socket in a private directory. Windows: a named pipe, whose default DACL lets only this
 * user, administrators and SYSTEM write to it; the nonce still guards every request. (Untested here.)
 */
async function channelPath(explicit: string | undefined, log: HelperLog): Promise<{ path: string; remove(): void }> {
  if (process.platform === 'win32')
    return { path: `\\\\.\\pipe\\agent-auth-${randomBytes(8).toString('hex')}`, remove() {} };
  let dir = explicit;
  let remove = () => {};
  if (dir === undefined) {
    const runtime = privateRuntimeDir(defaultRuntimeDir(), log);
    dir = runtime.dir;
    remove = () => runtime.remove();
  } else ensurePrivateDir(dir);
  const swept = await removeStaleSockets(dir);
  if (swept.length) log.info(`Token helper: removed ${swept.length} socket(s) of closed windows from ${dir}`);
  return { path: newSocketPath(dir), remove };
}

async function answer(req: IncomingMessage, res: ServerResponse, nonce: string, source: TokenSource, log: HelperLog) {
  try {
    if (!nonceMatches(nonce, req.headers[NONCE_HEADER] as string | undefined)) {
      log.warn('Token helper: refused a request with a missing or wrong nonce.');
      throw new HelperError(
        403,
        'Agent Auth: the token helper refused this request (wrong or missing nonce). Open a new terminal.',
      );
    }
    if (req.method !== 'GET') throw new HelperError(405, 'Agent Auth: the token helper only answers GET.');
    if (req.headers['content-length'] || req.headers['transfer-encoding'])
      throw new HelperError(413, 'Agent Auth: the token helper takes no request body.');
    const request = parseTokenRequest(req.url ?? '/');
    let token: IssuedToken;
    try {
      token =
        request.kind === 'id'
          ? await source.getIdToken(request.providerId)
          : await source.getAccessToken(request.providerId, { maxWaitMs: HELPER_MAX_WAIT_MS });
    } catch (err) {
      throw new HelperError(409, userMessage(err));
    }
    send(res, 200, formatToken(request, token));
  } catch (err) {
    if (err instanceof HelperError) send(res, err.status, `${err.message}\n`);
    else {
      log.error(`Token helper: ${(err as Error).message}`);
      send(res, 500, 'Agent Auth: the token helper failed; see the Agent Auth log.\n');
    }
  }
}

/** One line for the client's stderr, which is a terminal: it may quote a server, so it passes serverText. */
function userMessage(err: unknown): string {
  const m = serverText(err instanceof Error ? err.message : String(err), NOTIFICATION_MAX);
  return m.startsWith('Agent Auth') ? m : `Agent Auth: ${m}`;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close', // one request per connection keeps the idle rule simple
  });
  res.end(body);
}
