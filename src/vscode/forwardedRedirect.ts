import { isLoopbackHost } from '../protocol/urls.js';

/**
 * Whether a remote window (SSH, WSL, containers, code-server) can use the browser flow: the
 * redirect `asExternalUri` made of the local loopback one must still be a native-app loopback
 * redirect (http, a loopback host, the same path), as a plain port forward gives
 * (`http://localhost:53123/callback`). code-server's `/proxy/<port>/` path or a tunnel's https
 * host is nothing an IdP accepts for a native client, so the device code is used instead.
 * Returns the redirect to use, or undefined. Free of `vscode` so it can be tested alone.
 */
export function usableForward(local: string, external: string): string | undefined {
  let u: URL;
  try {
    u = new URL(external);
  } catch {
    return undefined;
  }
  const l = new URL(local);
  if (
    u.protocol !== 'http:' ||
    !isLoopbackHost(u.hostname) ||
    u.pathname !== l.pathname ||
    u.search ||
    u.username ||
    u.password
  )
    return undefined;
  return `http://${u.host}${u.pathname}`;
}

/**
 * OAuth errors in a callback that say the server refused the request itself (the forwarded
 * redirect, typically) rather than the user saying no: worth a second try with the device code.
 */
export const REFUSED_REQUEST_ERRORS: readonly string[] = [
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_client',
];
