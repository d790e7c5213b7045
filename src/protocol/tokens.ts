import * as oauth from 'oauth4webapi';
import type { Endpoints } from './endpoints.js';
import { asAuthorizationServer, publicClient, requestOptions } from './endpoints.js';
import type { FetchLike } from './http.js';
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
  const client = publicClient(ctx.clientId);
  try {
    const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken,
      requestOptions(as.token_endpoint!, ctx.fetch, ctx.signal));
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
    const res = await oauth.revocationRequest(as, publicClient(ctx.clientId), oauth.None(), token, {
      additionalParameters: { token_type_hint: hint },
      ...requestOptions(as.revocation_endpoint, ctx.fetch, ctx.signal),
    });
    await oauth.processRevocationResponse(res);
    return true;
  } catch (e) {
    throw toAuthError(e, 'The revocation endpoint');
  }
}
