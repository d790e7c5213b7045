import * as oauth from 'oauth4webapi';
import { asAuthorizationServer, clientOf, type Endpoints, requestOptions, tokenParameters } from './endpoints.js';
import { AuthError, isAuthError } from './errors.js';
import type { Logger } from './log.js';
import {
  deviceCodeExpired,
  noDeviceGrant,
  signInCancelled,
  signInDenied,
  subject,
  unsafeUserCode,
  type VerificationUriProblem,
  verificationUriRefused,
} from './messages.js';
import { toAuthError } from './oauthErrors.js';
import { isSafeUserCode, serverText } from './serverText.js';
import type { ClientContext, TokenSet } from './tokens.js';
import { toTokenSet } from './tokens.js';
import { isLoopbackHost } from './urls.js';

export interface UserCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /**
   * Whether Agent Auth may open the page itself: only when its host is the issuer's or one the
   * metadata names. Entra (microsoft.com/devicelogin) and Google (www.google.com/device) use
   * other hosts: their page is shown for the user to open, never opened for them.
   */
  openable: boolean;
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
    throw new AuthError('unsupported', noDeviceGrant(as.issuer));
  }
  const sleep = o.sleep ?? abortableSleep;
  let device: oauth.DeviceAuthorizationResponse;
  try {
    const params = tokenParameters(o.tokenParameters, new URLSearchParams({ scope: o.scopes.join(' ') }));
    const res = await oauth.deviceAuthorizationRequest(
      as,
      client,
      auth,
      params,
      requestOptions(as.device_authorization_endpoint, o.fetch, o.signal),
    );
    device = await oauth.processDeviceAuthorizationResponse(as, client, res);
  } catch (e) {
    throw toAuthError(e, subject.deviceAuthorizationEndpoint);
  }
  const expiresAt = o.now() + device.expires_in * 1000;
  const page = checkVerificationUri(device.verification_uri, 'verification_uri', o.endpoints);
  const complete =
    device.verification_uri_complete === undefined
      ? undefined
      : checkVerificationUri(device.verification_uri_complete, 'verification_uri_complete', o.endpoints);
  o.onUserCode({
    userCode: checkUserCode(device.user_code),
    verificationUri: page.href,
    // The page with the code filled in only where it may be opened; else the user types the code.
    verificationUriComplete: page.known && complete?.known ? complete.href : undefined,
    openable: page.known,
    expiresAt,
  });
  let interval = device.interval ?? DEFAULT_INTERVAL_S;
  o.log.info(`Device code issued; polling every ${interval} s until ${new Date(expiresAt).toISOString()}.`);

  for (;;) {
    await sleep(interval * 1000, o.signal);
    if (o.signal?.aborted) throw new AuthError('cancelled', signInCancelled());
    if (o.now() >= expiresAt) throw expired();
    try {
      // RFC 8707: the resource indicators go on the polling requests too (the MCP authorization spec requires it).
      const res = await oauth.deviceCodeGrantRequest(as, client, auth, device.device_code, {
        additionalParameters: tokenParameters(o.tokenParameters),
        ...requestOptions(as.token_endpoint!, o.fetch, o.signal),
      });
      return toTokenSet(await oauth.processDeviceCodeResponse(as, client, res), o.now());
    } catch (e) {
      const err = toAuthError(e, subject.tokenEndpoint);
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
          throw new AuthError('oauth_error', signInDenied(), {
            oauthError: 'access_denied',
            cause: err,
          });
        default:
          break;
      }
      if (isAuthError(err) && err.transient) {
        o.log.warn(`Polling failed (${err.message}); trying again.`);
        continue;
      }
      throw err;
    }
  }
}

/** The code is shown and copied to the clipboard as is, so only RFC 8628's characters get through. */
function checkUserCode(code: string): string {
  if (isSafeUserCode(code)) return code;
  throw new AuthError('invalid_response', unsafeUserCode());
}

/**
 * A verification URI is shown, and maybe opened: it must be https (http only on loopback) with no
 * user name and nothing the sanitiser would change, or the sign-in fails. `known`: its host is the
 * issuer's or one the metadata names, the only pages Agent Auth opens itself.
 */
function checkVerificationUri(value: string, field: string, e: Endpoints): { href: string; known: boolean } {
  const refuse = (why: VerificationUriProblem) =>
    new AuthError('invalid_response', verificationUriRefused(field, why, serverText(value, 120)));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('notUrl');
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))) {
    throw refuse('insecure');
  }
  if (url.username || url.password) throw refuse('credentials');
  const known = [
    e.issuer,
    e.authorization_endpoint,
    e.token_endpoint,
    e.device_authorization_endpoint,
    e.revocation_endpoint,
  ]
    .filter((u): u is string => !!u && URL.canParse(u))
    .map((u) => new URL(u).host);
  // Shown in notifications too: a URL whose text serverText would alter (a markdown link, `command:`) is refused.
  if (serverText(url.href, 2048) !== url.href) throw refuse('markup');
  return { href: url.href, known: known.includes(url.host) };
}

const expired = () => new AuthError('expired', deviceCodeExpired());

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
