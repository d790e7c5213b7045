import * as oauth from 'oauth4webapi';
import { asAuthorizationServer, clientOf, requestOptions, tokenParameters } from './endpoints.js';
import { AuthError, isAuthError } from './errors.js';
import type { Logger } from './log.js';
import { toAuthError } from './oauthErrors.js';
import type { ClientContext, TokenSet } from './tokens.js';
import { toTokenSet } from './tokens.js';

export interface UserCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms after which the code is useless. */
  expiresAt: number;
}

export interface DeviceCodeOptions extends ClientContext {
  scopes: string[];
  log: Logger;
  now: () => number;
  /** Shows the code to the user; the flow keeps polling meanwhile. */
  onUserCode: (prompt: UserCodePrompt) => void;
  /** Waits `ms` unless `signal` aborts (injected so tests need not wait for real). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** RFC 8628 §3.5: poll every 5 s unless told otherwise; slow_down adds 5 s for good. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_STEP_S = 5;

/** Device authorization grant (RFC 8628), for windows where a loopback redirect cannot reach us. */
export async function deviceCodeFlow(o: DeviceCodeOptions): Promise<TokenSet> {
  const as = asAuthorizationServer(o.endpoints);
  const { client, auth } = clientOf(o.clientId, o.clientAuthentication);
  if (!as.device_authorization_endpoint) {
    throw new AuthError('unsupported', `${as.issuer} does not offer the device authorization grant; use the browser flow.`);
  }
  const sleep = o.sleep ?? abortableSleep;
  let device: oauth.DeviceAuthorizationResponse;
  try {
    const params = tokenParameters(o.tokenParameters, new URLSearchParams({ scope: o.scopes.join(' ') }));
    const res = await oauth.deviceAuthorizationRequest(as, client, auth, params,
      requestOptions(as.device_authorization_endpoint, o.fetch, o.signal));
    device = await oauth.processDeviceAuthorizationResponse(as, client, res);
  } catch (e) {
    throw toAuthError(e, 'The device authorization endpoint');
  }
  const expiresAt = o.now() + device.expires_in * 1000;
  o.onUserCode({
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete,
    expiresAt,
  });
  let interval = device.interval ?? DEFAULT_INTERVAL_S;
  o.log.info(`Device code issued; polling every ${interval} s until ${new Date(expiresAt).toISOString()}.`);

  for (;;) {
    await sleep(interval * 1000, o.signal);
    if (o.signal?.aborted) throw new AuthError('cancelled', 'Sign-in was cancelled.');
    if (o.now() >= expiresAt) throw expired();
    try {
      // RFC 8707: the resource indicators go on the polling requests too (the MCP authorization spec requires it).
      const res = await oauth.deviceCodeGrantRequest(as, client, auth, device.device_code, {
        additionalParameters: tokenParameters(o.tokenParameters),
        ...requestOptions(as.token_endpoint!, o.fetch, o.signal),
      });
      return toTokenSet(await oauth.processDeviceCodeResponse(as, client, res), o.now());
    } catch (e) {
      const err = toAuthError(e, 'The token endpoint');
      switch (err.details.oauthError) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          interval += SLOW_DOWN_STEP_S;
          o.log.info(`Server asked to slow down; polling every ${interval} s.`);
          continue;
        case 'expired_token':
          throw expired();
        case 'access_denied':
          throw new AuthError('oauth_error', 'Sign-in was denied in the browser.', { oauthError: 'access_denied', cause: err });
      }
      if (isAuthError(err) && err.transient) {
        o.log.warn(`Polling failed (${err.message}); trying again.`);
        continue;
      }
      throw err;
    }
  }
}

const expired = () => new AuthError('expired', 'The device code expired before sign-in was completed. Start again.');

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
