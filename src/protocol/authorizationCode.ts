import * as oauth from 'oauth4webapi';
import type { ClientContext, TokenSet } from './tokens.js';
import { toTokenSet } from './tokens.js';
import { asAuthorizationServer, publicClient, requestOptions } from './endpoints.js';
import { AuthError } from './errors.js';
import type { Logger } from './log.js';
import { startLoopbackServer } from './loopback.js';
import { toAuthError } from './oauthErrors.js';

export interface AuthorizationCodeOptions extends ClientContext {
  scopes: string[];
  /** RFC 8707 resource indicator, when the provider is configured by a protected resource. */
  resource?: string;
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
  const client = publicClient(o.clientId);
  if (!as.authorization_endpoint) {
    throw new AuthError('unsupported', `${as.issuer} has no authorization endpoint; use the device flow.`);
  }
  const methods = as.code_challenge_methods_supported;
  if (methods && !methods.includes('S256')) {
    throw new AuthError('unsupported', `${as.issuer} does not support PKCE with S256, which Agent Auth requires.`);
  }
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const loopback = await startLoopbackServer({
    expectedState: state,
    timeoutMs: o.timeoutMs ?? 5 * 60_000,
    signal: o.signal,
    log: o.log,
  });
  try {
    const redirectUri = o.externalRedirectUri ? await o.externalRedirectUri(loopback.redirectUri) : loopback.redirectUri;
    // A remote window's port forward (localhost:<forwarded port>) reaches the listener under its own Host.
    if (redirectUri !== loopback.redirectUri) loopback.allowHost(new URL(redirectUri).host);
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('client_id', o.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', o.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    if (o.resource) url.searchParams.set('resource', o.resource);
    o.log.info(`Opening the browser at ${as.authorization_endpoint} (redirect ${redirectUri}).`);
    if (!(await o.openBrowser(url.href))) {
      throw new AuthError('cancelled', 'The browser could not be opened for sign-in.');
    }
    const cb = await loopback.callback;
    try {
      const params = validateCallback(as, client, cb.params, state);
      const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, {
        additionalParameters: o.resource ? { resource: o.resource } : undefined,
        ...requestOptions(as.token_endpoint!, o.fetch, o.signal),
      });
      const tokens = toTokenSet(await oauth.processAuthorizationCodeResponse(as, client, res), o.now());
      cb.respond({ ok: true });
      return tokens;
    } catch (e) {
      const err = toAuthError(e, 'The token endpoint');
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
  try {
    return oauth.validateAuthResponse(as, client, params, state);
  } catch (e) {
    if (e instanceof oauth.OperationProcessingError && /"iss"/.test(e.message)) {
      throw new AuthError('issuer_mismatch', `The authorization response did not come from ${as.issuer} (RFC 9207 mix-up defence: ${e.message}).`, { cause: e });
    }
    if (e instanceof oauth.OperationProcessingError && /"state"/.test(e.message)) {
      throw new AuthError('state_mismatch', 'The authorization response does not match this sign-in attempt (state).', { cause: e });
    }
    throw toAuthError(e, 'The authorization server');
  }
}
