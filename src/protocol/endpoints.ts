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
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

export const asAuthorizationServer = (e: Endpoints): oauth.AuthorizationServer => ({ ...e });

export const publicClient = (clientId: string): oauth.Client => ({ client_id: clientId, token_endpoint_auth_method: 'none' });

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
