import * as oauth from 'oauth4webapi';
import { isLoopbackHost } from './urls.js';

/**
 * The server facts a session needs after sign-in. Stored inside the session so a refresh or a
 * revocation is one request, with no discovery round trip.
 */
export interface Endpoints {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  device_authorization_endpoint?: string;
  revocation_endpoint?: string;
  userinfo_endpoint?: string;
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

export const asAuthorizationServer = (e: Endpoints): oauth.AuthorizationServer => ({ ...e });

/** How the client proves itself at the token and revocation endpoints. The secret comes from SecretStorage, never a setting. */
export type ClientAuthentication =
  { method: 'none' } | { method: 'client_secret_basic' | 'client_secret_post'; secret: string };

/** Extra parameters for every token request: RFC 8707 `resource` (repeated) and Auth0's `audience`. */
export interface TokenParameters {
  resources?: readonly string[];
  audience?: string;
}

/** The oauth4webapi client and its authentication method for one request. */
export function clientOf(
  clientId: string,
  auth: ClientAuthentication = { method: 'none' },
): { client: oauth.Client; auth: oauth.ClientAuth } {
  switch (auth.method) {
    case 'client_secret_basic':
      return {
        client: { client_id: clientId, token_endpoint_auth_method: auth.method },
        auth: oauth.ClientSecretBasic(auth.secret),
      };
    case 'client_secret_post':
      return {
        client: { client_id: clientId, token_endpoint_auth_method: auth.method },
        auth: oauth.ClientSecretPost(auth.secret),
      };
    default:
      return { client: { client_id: clientId, token_endpoint_auth_method: 'none' }, auth: oauth.None() };
  }
}

/** `resource` once per indicator (RFC 8707 §2), then `audience`; merged into `into` when given. */
export function tokenParameters(p: TokenParameters | undefined, into = new URLSearchParams()): URLSearchParams {
  for (const r of p?.resources ?? []) into.append('resource', r);
  if (p?.audience) into.set('audience', p.audience);
  return into;
}

/** oauth4webapi options for one request: our bounded fetch, the caller's signal, http allowed only for loopback. */
export function requestOptions(
  url: string,
  fetch: (url: string, init: RequestInit) => Promise<Response>,
  signal?: AbortSignal,
): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]: boolean; signal?: AbortSignal } {
  return {
    [oauth.customFetch]: fetch,
    [oauth.allowInsecureRequests]: new URL(url).protocol === 'http:' && isLoopbackHost(new URL(url).hostname),
    signal,
  };
}
