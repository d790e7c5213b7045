/**
 * Every failure the protocol layer reports is an AuthError with a stable `code`, so the lifecycle
 * layer can decide (retry, ask for sign-in, give up) and the UI can say what the user can do.
 * Messages never contain token values.
 */
export type AuthErrorCode =
  | 'network' // connection refused/reset, DNS, a proxy that cannot be reached or refuses
  | 'certificate' // the server's certificate is untrusted, expired or for another name: retrying will not help
  | 'proxy_auth' // the proxy wants credentials (407) we do not have
  | 'timeout' // request exceeded its deadline
  | 'cancelled' // the user or the caller aborted
  | 'http_status' // unexpected HTTP status (5xx, 429, ...), `status` set
  | 'not_json' // e.g. an HTML error page where JSON was expected
  | 'too_large' // response larger than we accept
  | 'invalid_response' // JSON that breaks the spec or our schema
  | 'issuer_mismatch' // discovery `issuer` or RFC 9207 `iss` differs from the expected one
  | 'insecure_endpoint' // http: on a non-loopback host, or an https issuer advertising http endpoints
  | 'unsupported' // the server lacks what the flow needs (no device endpoint, no S256, ...)
  | 'state_mismatch'
  | 'oauth_error' // the server answered with an OAuth error (`oauthError` set)
  | 'expired' // device code or loopback wait expired
  | 'config'; // our own configuration is unusable

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly details: {
      status?: number;
      oauthError?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }

  /** Worth another attempt later: the request may succeed unchanged. */
  get transient(): boolean {
    if (this.code === 'network' || this.code === 'timeout') return true;
    const s = this.details.status ?? 0;
    if (s === 408 || s === 429 || s >= 500) return true;
    return this.details.oauthError === 'temporarily_unavailable' || this.details.oauthError === 'server_error';
  }
}

export function isAuthError(e: unknown, code?: AuthErrorCode): e is AuthError {
  return e instanceof AuthError && (code === undefined || e.code === code);
}
