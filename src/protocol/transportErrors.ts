import { AuthError } from './errors.js';
import {
  certificateOutOfDate,
  certificateRejected,
  certificateUntrusted,
  certificateWrongName,
  hostUnknown,
  proxyNeedsAuthentication,
  proxyRefused,
  proxyUnreachable,
  unreachable,
} from './messages.js';

/**
 * What a failed fetch means for the user. fetch (Node's, undici's, and VS Code's patched one in
 * the extension host) rejects with `TypeError: fetch failed` and puts the reason in `cause`
 * (sometimes one level deeper, or in an AggregateError's `errors`): an OpenSSL verification code,
 * a DNS or socket error code, or undici's "Proxy response (407)". Only codes, host names and our
 * own words reach the message: a certificate's names and a proxy's realm are the server's text.
 */

/** The chain does not end at a certificate authority this machine trusts. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_NAME = 'ERR_TLS_CERT_ALTNAME_INVALID';
/** Any other verification failure: revoked, bad signature, wrong purpose, ... */
const OTHER_CERTIFICATE =
  /^(CERT_|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|UNABLE_TO_DECRYPT_|UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY$|ERR_TLS_CERT)/;
const NAME_UNKNOWN = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
/** undici's words when a proxy answers CONNECT with something other than 200. */
const PROXY_STATUS = /Proxy response \((\d{3})\)/;

interface Cause {
  code?: string;
  message?: string;
  address?: string;
  port?: number;
}

/** The causes of `e`, outermost first: `cause` chains and AggregateError members, a few levels deep. */
function causes(e: unknown): Cause[] {
  const out: Cause[] = [];
  const visit = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 4) return;
    out.push(x);
    const errors = (x as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors.slice(0, 4)) visit(inner, depth + 1);
    visit((x as { cause?: unknown }).cause, depth + 1);
  };
  visit(e, 0);
  return out;
}

/**
 * Turns a rejected fetch of `url` into an AuthError: `certificate` for a certificate the
 * connection refused, `proxy_auth` for a proxy that wants credentials, `network` (transient)
 * for everything else, with what to do where we know it.
 */
export function transportError(e: unknown, url: string, where: string): AuthError {
  const all = causes(e);
  const codes = all.map((c) => (typeof c.code === 'string' ? c.code : '')).filter(Boolean);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return new AuthError('network', unreachable(where), { cause: e });
  }
  const host = target.hostname;

  const untrusted = codes.find((c) => UNTRUSTED.has(c));
  if (untrusted) {
    return new AuthError('certificate', certificateUntrusted(host, untrusted), { cause: e });
  }
  const outOfDate = codes.find((c) => OUT_OF_DATE.has(c));
  if (outOfDate) {
    return new AuthError('certificate', certificateOutOfDate(host, outOfDate), { cause: e });
  }
  if (codes.includes(WRONG_NAME)) {
    return new AuthError('certificate', certificateWrongName(host, WRONG_NAME), { cause: e });
  }
  const otherCertificate = codes.find((c) => OTHER_CERTIFICATE.test(c));
  if (otherCertificate) {
    return new AuthError('certificate', certificateRejected(host, otherCertificate), { cause: e });
  }

  const proxyStatus = all.map((c) => PROXY_STATUS.exec(String(c.message ?? ''))?.[1]).find(Boolean);
  if (proxyStatus === '407') {
    return new AuthError('proxy_auth', proxyNeedsAuthentication(host), { status: 407, cause: e });
  }
  if (proxyStatus) {
    return new AuthError('network', proxyRefused(host, proxyStatus), { status: Number(proxyStatus), cause: e });
  }

  const unknownName = all.find((c) => c.code && NAME_UNKNOWN.has(c.code));
  if (unknownName) {
    return new AuthError('network', hostUnknown(host, unknownName.code!), { cause: e });
  }
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const refused = all.find((c) => c.code === 'ECONNREFUSED' && typeof c.port === 'number');
  if (refused && refused.port !== targetPort) {
    // Not the server's port: the connection that failed was to a proxy.
    return new AuthError('network', proxyUnreachable(`${refused.address ?? '?'}:${refused.port}`, host), { cause: e });
  }

  const first = all.find((c, i) => i > 0 && (c.code || c.message)) ?? all[0];
  const detail = first?.code ?? first?.message ?? String(e);
  return new AuthError('network', unreachable(where, detail), { cause: e });
}
