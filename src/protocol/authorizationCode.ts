import * as oauth from 'oauth4webapi';
import type { ClientContext, TokenSet } from './tokens.js';
import { toTokenSet } from './tokens.js';
import { asAuthorizationServer, clientOf, requestOptions, tokenParameters } from './endpoints.js';
import { AuthError } from './errors.js';
import type { Logger } from './log.js';
import { type LoopbackRedirect, startLoopbackServer } from './loopback.js';
import {
  browserNotOpened,
  fixedRedirectForwarded,
  issuerMixUp,
  noAuthorizationEndpoint,
  noPkceS256,
  stateMismatch,
  subject,
} from './messages.js';
import { toAuthError } from './oauthErrors.js';

export interface AuthorizationCodeOptions extends ClientContext {
  scopes: string[];
  /** Allowlisted extra parameters (prompt, login_hint, …); validated by the settings, never overriding the flow's own. */
  authorizationParameters?: Record<string, string>;
  /** A fixed redirect URI; default 127.0.0.1 on an ephemeral port. */
  redirect?: LoopbackRedirect;
  log: Logger;
  now: () => number;
  /** Maps the local redirect URI to one the browser can reach (vscode.env.asExternalUri in remote windows). */
  externalRedirectUri?: (local: string) => Promise<string>;
  /** Opens the authorization URL in the user's browser; false when it could not. */
  openBrowser: (url: string) => Promise<boolean>;
  /** How long to wait for the browser to come back. */
  timeoutMs?: number;
}

/**
 * Authorization code grant with PKCE (S256) and an RFC 8252 loopback redirect. `state` guards
 * against CSRF and stray callbacks; `iss` (RFC 9207) against mix-up when the server sends it.
 */
export async function authorizationCodeFlow(o: AuthorizationCodeOptions): Promise<TokenSet> {
  const as = asAuthorizationServer(o.endpoints);
  const { client, auth } = clientOf(o.clientId, o.clientAuthentication);
  if (!as.authorization_endpoint) {
    throw new AuthError('unsupported', noAuthorizationEndpoint(as.issuer));
  }
  const methods = as.code_challenge_methods_supported;
  if (methods && !methods.includes('S256')) {
    throw new AuthError('unsupported', noPkceS256(as.issuer));
  }
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  // OpenID Connect: a nonce binds the ID token to this request. Some servers (Glewlwyd) refuse a
  // public client's code request without one; all others accept it.
  const nonce = o.scopes.includes('openid') ? oauth.generateRandomNonce() : undefined;
  const loopback = await startLoopbackServer({
    expectedState: state,
    timeoutMs: o.timeoutMs ?? 5 * 60_000,
    signal: o.signal,
    log: o.log,
    redirect: o.redirect,
  });
  try {
    const redirectUri = o.externalRedirectUri
      ? await o.externalRedirectUri(loopback.redirectUri)
      : loopback.redirectUri;
    if (redirectUri !== loopback.redirectUri) {
      // A remote window's port forward (localhost:<forwarded port>) reaches the listener under its own Host.
      loopback.allowHost(new URL(redirectUri).host);
      if (o.redirect?.port) {
        o.log.warn(fixedRedirectForwarded(loopback.redirectUri, redirectUri));
      }
    }
    const url = new URL(as.authorization_endpoint);
    // Extras first, so the flow's own parameters always win (the settings reject overlaps anyway).
    for (const [k, v] of Object.entries(o.authorizationParameters ?? {})) url.searchParams.set(k, v);
    url.searchParams.set('client_id', o.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', o.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    if (nonce) url.searchParams.set('nonce', nonce);
    tokenParameters(o.tokenParameters, url.searchParams);
    o.log.info(`Opening the browser at ${as.authorization_endpoint} (redirect ${redirectUri}).`);
    if (!(await o.openBrowser(url.href))) {
      throw new AuthError('cancelled', browserNotOpened());
    }
    const cb = await loopback.callback;
    try {
      const params = validateCallback(as, client, cb.params, state);
      const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, {
        additionalParameters: tokenParameters(o.tokenParameters),
        ...requestOptions(as.token_endpoint!, o.fetch, o.signal),
      });
      // The nonce is checked in the ID token when the server sends one. A plain OAuth 2 server
      // (GitHub) ignores the openid scope and sends none: nothing to bind, and no reason to fail.
      const idToken =
        nonce &&
        typeof (
          (await res
            .clone()
            .json()
            .catch(() => undefined)) as { id_token?: unknown } | undefined
        )?.id_token === 'string';
      const tokens = toTokenSet(
        await oauth.processAuthorizationCodeResponse(as, client, res, idToken ? { expectedNonce: nonce } : undefined),
        o.now(),
      );
      cb.respond({ ok: true });
      return tokens;
    } catch (e) {
      const err = toAuthError(e, subject.tokenEndpoint);
      cb.respond({ ok: false, message: err.message });
      throw err;
    }
  } finally {
    loopback.close();
  }
}

function validateCallback(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  params: URLSearchParams,
  state: string,
): URLSearchParams {
  // Checked here on the parameters themselves (oauth4webapi reports both as INVALID_RESPONSE and
  // checks them again below), so each failure gets its own code without reading message text.
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new AuthError('issuer_mismatch', issuerMixUp(as.issuer, iss?.slice(0, 200)));
  }
  if (params.get('state') !== state) {
    throw new AuthError('state_mismatch', stateMismatch());
  }
  try {
    return oauth.validateAuthResponse(as, client, params, state);
  } catch (e) {
    throw toAuthError(e, subject.authorizationServer);
  }
}
