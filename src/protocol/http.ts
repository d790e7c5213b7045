import { AuthError } from './errors.js';
import type { Logger } from './log.js';
import { bodyOverCap, bodyTooLarge, noAnswerInTime, requestCancelled } from './messages.js';
import { transportError } from './transportErrors.js';

/** The fetch signature oauth4webapi calls through its `customFetch` option. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpDeps {
  /** The extension host's global fetch (proxy-aware, system certificates) or Node's in tests. */
  fetch: FetchLike;
  log: Logger;
  /** Per-request deadline, including reading the body. */
  timeoutMs?: number;
  /** Larger bodies are refused before parsing: no OAuth document needs more. */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 256 * 1024;
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * Wraps a fetch with a deadline, a body-size cap and one log line per exchange (method, URL
 * without query or fragment, status, duration, size). Bodies are buffered so the caller always
 * gets a complete, bounded Response; redirects are left to the caller (oauth4webapi uses
 * `redirect: 'manual'`), so a server cannot bounce us to another host.
 */
export function boundedFetch(deps: HttpDeps): FetchLike {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = deps.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  return async (url, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const method = init.method ?? 'GET';
    const where = redactUrl(url);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const res = await deps.fetch(url, { ...init, signal });
      const body = await readCapped(res, maxBytes, where);
      deps.log.debug(`HTTP ${method} ${where} -> ${res.status} (${elapsed()} ms, ${body.byteLength} B)`);
      return new Response(NULL_BODY_STATUS.has(res.status) ? null : (body as BodyInit), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    } catch (e) {
      const err = toTransportError(e, { deadline, caller: init.signal ?? undefined, url, where, timeoutMs });
      deps.log.debug(`HTTP ${method} ${where} failed after ${elapsed()} ms: ${err.message}`);
      throw err;
    }
  };
}

/** Scheme, host and path only: queries and fragments may carry codes or tokens. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

async function readCapped(res: Response, maxBytes: number, where: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new AuthError('too_large', bodyTooLarge(where, declared, maxBytes));
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new AuthError('too_large', bodyOverCap(where, maxBytes));
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toTransportError(
  e: unknown,
  ctx: { deadline: AbortSignal; caller?: AbortSignal; url: string; where: string; timeoutMs: number },
): AuthError {
  if (e instanceof AuthError) return e;
  if (ctx.caller?.aborted) return new AuthError('cancelled', requestCancelled(), { cause: e });
  if (ctx.deadline.aborted)
    return new AuthError('timeout', noAnswerInTime(ctx.where, ctx.timeoutMs / 1000), { cause: e });
  return transportError(e, ctx.url, ctx.where);
}
