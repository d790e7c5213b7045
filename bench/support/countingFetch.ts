import { redactUrl } from '../../src/protocol/http.js';

export interface FetchCount {
  /** "METHOD scheme://host/path" of every request since the last reset. */
  readonly requests: string[];
  reset(): void;
  restore(): void;
}

/**
 * Counts every request made through globalThis.fetch, which is what the extension hands its
 * TokenService (and what VS Code itself wraps in the extension host). Install it before the
 * service is built: boundedFetch keeps the function it was given.
 */
export function countGlobalFetch(): FetchCount {
  const original = globalThis.fetch;
  const requests: string[] = [];
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requests.push(`${init?.method ?? 'GET'} ${redactUrl(url)}`);
    return original(input, init);
  };
  return {
    requests,
    reset: () => void requests.splice(0),
    restore: () => void (globalThis.fetch = original),
  };
}
