import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from '../../protocol/log.js';
import { fetchWithToken, type GetToken } from './authorizedFetch.js';
import { sessionErrorCode } from '../errors.js';
import {
  proxyErrorText,
  proxyFailedText,
  proxyRejectedLogText,
  proxyRejectedText,
  proxyRequestFailedText,
  proxyText,
} from '../messages.js';

/**
 * A loopback forwarder that puts the provider's current bearer token on every request to an HTTP
 * MCP server. VS Code's MCP client keeps the headers of a running server for the life of its
 * connection, so a token placed there expires under it; through this forwarder each request
 * carries the token that is current when it is sent (refreshed once and resent on a 401), and the
 * server's MCP session survives every refresh.
 *
 * Only the routes it was given are served, each to exactly one upstream URL, and only to a client
 * presenting the forwarder's random key as its own bearer credential (other local users can reach
 * a loopback port). Free of `vscode`.
 */

export interface ProxyRoute {
  /** The upstream MCP endpoint. */
  url: string;
  providerId: string;
}

export interface TokenProxy {
  /** The local URL of `id`'s route; requests there go to `route.url` with a fresh token. */
  route(id: string, route: ProxyRoute): string;
  /** The bearer credential the client must present (never the provider's token). */
  readonly key: string;
  close(): Promise<void>;
}

/** Request headers passed upstream; everything else (cookies, the key itself, hop-by-hop) is dropped. */
const REQUEST_HEADERS = [
  'accept',
  'content-type',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  'user-agent',
];
/** Response headers passed back; WWW-Authenticate is not: the client should never start its own OAuth. */
const RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'mcp-protocol-version', 'cache-control', 'retry-after'];
const MAX_BODY = 16 * 1024 * 1024;

export async function startTokenProxy(o: {
  getToken: GetToken;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  log: Logger;
}): Promise<TokenProxy> {
  const key = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${key}`);
  const routes = new Map<string, ProxyRoute>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const presented = Buffer.from(req.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
      return reply(res, 403, proxyText.notAClient);
    const id = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/mcp\//, ''));
    const route = routes.get(id);
    if (!route) return reply(res, 404, proxyText.noSuchServer);
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
    const headers: Record<string, string> = {};
    for (const h of REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    let upstream: Response;
    try {
      upstream = await fetchWithToken(o.getToken, o.fetch, route.providerId, route.url, () => ({
        method: req.method,
        headers,
        body,
        signal: aborted.signal,
        // A redirect could carry the token elsewhere.
        redirect: 'error',
      }));
    } catch (e) {
      if (aborted.signal.aborted) return;
      const code = sessionErrorCode(e);
      o.log.warn(proxyRequestFailedText(id, !!code, (e as Error).message));
      return reply(res, code ? 503 : 502, proxyErrorText((e as Error).message));
    }
    if (upstream.status === 401) {
      // Passed on, a 401 would start VS Code's own OAuth for the forwarder's address.
      await upstream.body?.cancel();
      o.log.warn(proxyRejectedLogText(id));
      return reply(res, 502, proxyRejectedText(route.providerId));
    }
    res.statusCode = upstream.status;
    for (const h of RESPONSE_HEADERS) {
      const v = upstream.headers.get(h);
      if (v !== null) res.setHeader(h, v);
    }
    if (!upstream.body) return void res.end();
    res.flushHeaders();
    const stream = Readable.fromWeb(upstream.body as WebReadableStream);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      o.log.warn(proxyFailedText(e.message));
      if (!res.headersSent) reply(res, 500, proxyText.internalError);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    key,
    route(id, route) {
      routes.set(id, route);
      return `http://127.0.0.1:${port}/mcp/${encodeURIComponent(id)}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new Error(proxyText.bodyTooLarge);
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
