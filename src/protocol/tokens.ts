import * as oauth from 'oauth4webapi';
import type { Endpoints } from './endpoints.js';
import {
  asAuthorizationServer,
  type ClientAuthentication,
  clientOf,
  requestOptions,
  type TokenParameters,
  tokenParameters,
} from './endpoints.js';
import type { FetchLike } from './http.js';
import { AuthError } from './errors.js';
import { refreshTokenRefused, revocationRefused, subject } from './messages.js';
import { toAuthError } from './oauthErrors.js';
import { parseOrThrow, TokenResponseSchema } from './schemas.js';
import { serverText } from './serverText.js';

/** What a successful token response gives us, with the lifetime turned into an absolute time. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Server-granted scopes, when it said; for display only, so made inert by serverText. */
  scope?: string;
  /** `expires_in` was missing and `expiresAt` is our assumption. */
  expiryAssumed?: boolean;
  /** Validated ID token claims, when an ID token came with the response. */
  claims?: { sub: string; [claim: string]: unknown };
}

/** Without `expires_in` we assume an hour; a 401 still triggers a reactive refresh. */
export const ASSUMED_LIFETIME_SECONDS = 3600;

export interface ClientContext {
  endpoints: Endpoints;
  clientId: string;
  /** Default: a public client (`none`). */
  clientAuthentication?: ClientAuthentication;
  /** Sent on every token request: the authorization code, device code and refresh grants alike. */
  tokenParameters?: TokenParameters;
  fetch: FetchLike;
  signal?: AbortSignal;
}

export function toTokenSet(response: oauth.TokenEndpointResponse, now: number): TokenSet {
  const t = parseOrThrow(TokenResponseSchema, response, 'The token response');
  const claims = oauth.getValidatedIdTokenClaims(response);
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    idToken: t.id_token,
    expiresAt: now + (t.expires_in ?? ASSUMED_LIFETIME_SECONDS) * 1000,
    scope: t.scope === undefined ? undefined : serverText(t.scope, 1000),
    expiryAssumed: t.expires_in === undefined ? true : undefined,
    claims: claims ? { ...claims, sub: claims.sub } : undefined,
  };
}

/** One refresh_token grant: exactly one HTTP request to the cached token endpoint. */
export async function refreshTokens(ctx: ClientContext, refreshToken: string, now: () => number): Promise<TokenSet> {
  const as = asAuthorizationServer(ctx.endpoints);
  const { client, auth } = clientOf(ctx.clientId, ctx.clientAuthentication);
  try {
    const res = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, {
      additionalParameters: tokenParameters(ctx.tokenParameters),
      ...requestOptions(as.token_endpoint!, ctx.fetch, ctx.signal),
    });
    return toTokenSet(await oauth.processRefreshTokenResponse(as, client, res), now());
  } catch (e) {
    throw refusedRefreshToken(toAuthError(e, subject.tokenEndpoint));
  }
}

/**
 * RFC 6749 §5.2 says a dead refresh token gets 400 `invalid_grant`; some servers (Glewlwyd) send
 * 400 with an empty body instead. That answer is reported as what it means: the refresh token is
 * no longer accepted. A 400 with some other body (a proxy's HTML page) stays an HTTP error.
 */
function refusedRefreshToken(err: AuthError): AuthError {
  if (err.code !== 'http_status' || err.details.status !== 400 || !emptyBody(err)) return err;
  return new AuthError('oauth_error', refreshTokenRefused(), { oauthError: 'invalid_grant', status: 400, cause: err });
}

/** RFC 7009 revocation; resolves false when the server has no revocation endpoint. */
export async function revokeToken(
  ctx: ClientContext,
  token: string,
  hint: 'refresh_token' | 'access_token',
): Promise<boolean> {
  const as = asAuthorizationServer(ctx.endpoints);
  if (!as.revocation_endpoint) return false;
  try {
    const { client, auth } = clientOf(ctx.clientId, ctx.clientAuthentication);
    const res = await oauth.revocationRequest(as, client, auth, token, {
      additionalParameters: { token_type_hint: hint },
      ...requestOptions(as.revocation_endpoint, ctx.fetch, ctx.signal),
    });
    await oauth.processRevocationResponse(res);
    return true;
  } catch (e) {
    const err = toAuthError(e, subject.revocationEndpoint);
    const status = err.details.status;
    if (status !== 401 && status !== 403) throw err;
    // Glewlwyd, for one, lets only authenticated clients revoke: a public client cannot.
    throw new AuthError(err.code, revocationRefused(status), { ...err.details, cause: err });
  }
}

function emptyBody(err: AuthError): boolean {
  const res = (err.details.cause as { cause?: unknown } | undefined)?.cause;
  return res instanceof Response && res.headers.get('content-length') === '0';
}
