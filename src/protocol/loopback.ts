import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from './errors.js';
import { isLoopbackHost } from './urls.js';
import type { Logger } from './log.js';
import { forwardedNotLoopback, loopbackPage, noBrowserAnswer, redirectPortTaken, signInCancelled } from './messages.js';
import { loopbackPeerUid } from './loopbackPeer.js';

export interface LoopbackCallback {
  /** The callback's query parameters (code, state, iss, or error). */
  params: URLSearchParams;
  /** Answers the waiting browser tab; call once the outcome is known. */
  respond(outcome: { ok: true } | { ok: false; message: string }): void;
}

export interface LoopbackServer {
  redirectUri: string;
  /** Resolves with the first callback whose `state` matches; rejects on timeout or abort. */
  callback: Promise<LoopbackCallback>;
  /**
   * Also answers requests for `host` ("localhost:53123"): the address a remote window's port
   * forward gives the browser. Only loopback names are accepted, so DNS rebinding stays out.
   */
  allowHost(host: string): void;
  close(): void;
}

export const DEFAULT_CALLBACK_PATH = '/callback';

/** A redirect URI the IdP compares exactly (Okta, Keycloak, Entra "Mobile and desktop"): fixed host, port and path. */
export interface LoopbackRedirect {
  host: '127.0.0.1' | 'localhost' | '[::1]';
  /** Absent or 0: an ephemeral port (RFC 8252 §7.3). */
  port?: number;
  path?: string;
  /** Names the setting behind a fixed port in the error when it is taken, e.g. `redirect.port of "okta"`. */
  setting?: string;
}
/** A browser tab waits at most this long for the token exchange before getting a generic page. */
const RESPOND_DEADLINE_MS = 15_000;

/**
 * The RFC 8252 loopback redirect receiver: listens on 127.0.0.1 (or ::1) only, on an ephemeral port
 * unless the provider fixes one,
 * answers only requests whose Host header names that exact address (DNS-rebinding defence),
 * accepts exactly one callback carrying the expected `state`, then closes. Everything else gets
 * a 400/404 and is logged, never a token. On Linux a callback whose TCP peer belongs to another
 * user is refused (login CSRF by another local user, see loopbackPeer.ts).
 */
export async function startLoopbackServer(opts: {
  expectedState: string;
  timeoutMs: number;
  signal?: AbortSignal;
  log: Logger;
  redirect?: LoopbackRedirect;
}): Promise<LoopbackServer> {
  const r = opts.redirect ?? { host: '127.0.0.1' };
  const callbackPath = r.path ?? DEFAULT_CALLBACK_PATH;
  // "localhost" is served on 127.0.0.1: the name is what the IdP compares, the address what we bind.
  const bindAddress = r.host === '[::1]' ? '::1' : '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && r.port) {
        reject(new AuthError('config', redirectPortTaken(r.port, r.host, r.setting), { cause: e }));
      } else reject(e);
    });
    server.listen(r.port ?? 0, bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostHeader = `${r.host}:${port}`;
  const hosts = new Set([hostHeader]);
  const redirectUri = `http://${hostHeader}${callbackPath}`;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    server.close();
    server.closeAllConnections?.();
  };
  let onAbort = () => {};

  const callback = new Promise<LoopbackCallback>((resolve, reject) => {
    const fail = (err: AuthError) => {
      if (settled) return;
      settled = true;
      close();
      reject(err);
    };
    onAbort = () => fail(new AuthError('cancelled', signInCancelled()));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(
      () => fail(new AuthError('expired', noBrowserAnswer(Math.round(opts.timeoutMs / 1000)))),
      opts.timeoutMs,
    );

    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!hosts.has(req.headers.host ?? '')) {
        opts.log.warn(`Loopback server: refused a request for host "${req.headers.host ?? ''}".`);
        return page(res, 400, loopbackPage.wrongHost);
      }
      if (fromAnotherUser(req, opts.log)) return page(res, 403, loopbackPage.anotherUser);
      const url = new URL(req.url ?? '/', `http://${hostHeader}`);
      if (req.method !== 'GET' || url.pathname !== callbackPath) return page(res, 404, loopbackPage.notFound);
      if (settled) return page(res, 410, loopbackPage.finished);
      if (url.searchParams.get('state') !== opts.expectedState) {
        opts.log.warn('Loopback server: ignored a callback with a missing or wrong state.');
        return page(res, 400, loopbackPage.wrongState);
      }
      settled = true;
      clearTimeout(timer);
      let answered = false;
      const respond = (outcome: { ok: true } | { ok: false; message: string }) => {
        if (answered) return;
        answered = true;
        if (outcome.ok) page(res, 200, loopbackPage.signedIn);
        else page(res, 400, loopbackPage.failed(outcome.message));
        res.once('finish', close);
      };
      setTimeout(() => respond({ ok: false, message: loopbackPage.tooSlow }), RESPOND_DEADLINE_MS).unref();
      resolve({ params: url.searchParams, respond });
    });
  });
  // Stay quiet if nobody awaits a failed callback (e.g. the browser never opened).
  callback.catch(() => undefined);
  const allowHost = (host: string) => {
    if (!isLoopbackHost(new URL(`http://${host}`).hostname)) throw new AuthError('config', forwardedNotLoopback(host));
    hosts.add(host.toLowerCase());
  };
  return { redirectUri, callback, allowHost, close };
}

/** Linux only: the peer's socket is owned by another uid. Where that cannot be told, the callback is let through (logged). */
function fromAnotherUser(req: IncomingMessage, log: Logger): boolean {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function') return false;
  const s = req.socket;
  if (!s.localAddress || !s.localPort || !s.remoteAddress || !s.remotePort) return false;
  const uid = loopbackPeerUid(
    { address: s.localAddress, port: s.localPort },
    { address: s.remoteAddress, port: s.remotePort },
  );
  if (uid === undefined) {
    log.warn('Loopback server: could not tell which user sent the callback (/proc/net/tcp); accepting it.');
    return false;
  }
  if (uid === process.getuid()) return false;
  log.warn(`Loopback server: refused a callback from a process of another user (uid ${uid}).`);
  return true;
}

function page(res: ServerResponse, status: number, message: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Agent Auth</title>
<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#222}</style></head>
<body><h1>Agent Auth</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(html);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
