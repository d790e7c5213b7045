import * as oauth from 'oauth4webapi';
import { AuthError } from './errors.js';
import {
  attributeMismatch,
  challengeRefused,
  failedWith,
  httpStatus,
  insecureConnection,
  invalidResponse,
  notJson,
  oauthErrorAnswer,
  requestFailed,
} from './messages.js';
import { serverText } from './serverText.js';

/**
 * Turns whatever oauth4webapi (or our bounded fetch) threw into an AuthError whose message says,
 * for `what` (e.g. "The token endpoint"), what went wrong in words a user can act on. Every
 * server-sent string in the message (error, error_description, header values, texts oauth4webapi
 * quotes) passes through serverText; `oauthError` stays the raw code, for comparisons only.
 */
export function toAuthError(e: unknown, what: string): AuthError {
  if (e instanceof AuthError) return e;
  if (e instanceof oauth.ResponseBodyError || e instanceof oauth.AuthorizationResponseError) {
    const description = e.error_description ? serverText(e.error_description) : undefined;
    return new AuthError('oauth_error', oauthErrorAnswer(what, serverText(e.error, 64), description), {
      oauthError: e.error,
      status: e instanceof oauth.ResponseBodyError ? e.status : undefined,
      retryAfterSeconds:
        e instanceof oauth.ResponseBodyError ? parseRetryAfter(e.response.headers.get('retry-after')) : undefined,
      cause: e,
    });
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    const first = e.cause[0];
    const error = first?.parameters.error;
    return new AuthError('oauth_error', challengeRefused(what, e.status, error ? serverText(error, 64) : undefined), {
      oauthError: error,
      status: e.status,
      cause: e,
    });
  }
  if (e instanceof oauth.OperationProcessingError) {
    const res = e.cause instanceof Response ? e.cause : undefined;
    switch (e.code) {
      case oauth.RESPONSE_IS_NOT_CONFORM:
        return withStatus(res, what, e);
      case oauth.RESPONSE_IS_NOT_JSON:
      case oauth.PARSE_ERROR:
        // An error status says more than the body it came with (an HTML 503 or a bare 429).
        if (res && !res.ok) return withStatus(res, what, e);
        return new AuthError(
          'not_json',
          notJson(
            what,
            res && {
              status: res.status,
              contentType: serverText(res.headers.get('content-type') ?? 'no content type', 80),
            },
          ),
          { status: res?.status, cause: e },
        );
      case oauth.JSON_ATTRIBUTE_COMPARISON: {
        // oauth4webapi names the attribute and the expected value; say both values, the server's capped.
        const c = e.cause as { attribute?: string; expected?: string; body?: Record<string, unknown> } | undefined;
        const actual = c?.attribute ? c.body?.[c.attribute] : undefined;
        const message =
          c?.attribute && c.expected
            ? attributeMismatch(what, c.attribute, JSON.stringify(serverText(actual, 300)), c.expected)
            : failedWith(what, serverText(e.message));
        return new AuthError('issuer_mismatch', message, { cause: e });
      }
      case oauth.HTTP_REQUEST_FORBIDDEN:
      case oauth.REQUEST_PROTOCOL_FORBIDDEN:
        return new AuthError('insecure_endpoint', insecureConnection(what), { cause: e });
      default:
        return new AuthError('invalid_response', invalidResponse(what, serverText(e.message)), { cause: e });
    }
  }
  if (e instanceof oauth.UnsupportedOperationError) {
    return new AuthError('unsupported', failedWith(what, serverText(e.message)), { cause: e });
  }
  if (e instanceof TypeError) {
    return new AuthError('invalid_response', invalidResponse(what, serverText(e.message)), { cause: e });
  }
  return new AuthError('invalid_response', requestFailed(what, serverText((e as Error)?.message ?? String(e))), {
    cause: e,
  });
}

function withStatus(res: Response | undefined, what: string, cause: unknown): AuthError {
  const status = res?.status ?? 0;
  const retryAfter = parseRetryAfter(res?.headers.get('retry-after') ?? null);
  return new AuthError('http_status', httpStatus(what, status), {
    status,
    retryAfterSeconds: retryAfter,
    cause,
  });
}

/** Retry-After as seconds (delta-seconds or HTTP-date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}
