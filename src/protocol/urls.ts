import { AuthError } from './errors.js';
import { insecureUrl, notAUrl } from './messages.js';

/** All of 127.0.0.0/8, ::1 and localhost are loopback (RFC 8252 §8.3); plain http is acceptable only there. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Parses an endpoint or issuer URL; throws a specific AuthError naming `label` when it is unusable. */
export function secureUrl(value: string, label: string, opts: { requireHttps?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthError('invalid_response', notAUrl(label));
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && !opts.requireHttps && isLoopbackHost(url.hostname)) return url;
  const why = url.protocol === 'http:' ? (opts.requireHttps ? 'httpsIssuer' : 'remoteHttp') : { scheme: url.protocol };
  throw new AuthError('insecure_endpoint', insecureUrl(label, url.host, why));
}
