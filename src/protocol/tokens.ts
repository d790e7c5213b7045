import * as oauth from 'oauth4webapi';
import type { Endpoints } from './endpoints.js';
import { asAuthorizationServer, type ClientAuthentication, clientOf, requestOptions, type TokenParameters, tokenParameters } from './endpoints.js';
import type { FetchLike } from './http.js';
import { toAuthError } from './oauthErrors.js';
import { parseOrThrow, TokenResponseSchema } from './schemas.js';

/** What a successful token response gives us, with the lifetime turned into an absolute time. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Server-granted scopes, when it said. */
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
    scope: t.scope,
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
    throw toAuthError(e, 'The token endpoint');
  }
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
    throw toAuthError(e, 'The revocation endpoint');
  }
}
