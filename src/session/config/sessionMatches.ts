import { type ProviderConfig, resourcesOf } from './providerSchema.js';
import type { SessionRecord } from '../store/sessionRecord.js';

/**
 * Whether a stored session was made for the provider as configured now. A provider id re-pointed
 * at another issuer, resource, client or set of scopes must not keep serving the old session: the
 * lifecycle then treats it as not signed in, revokes and deletes it. The one place that says which
 * settings a session is bound to; add a field here when the provider entry gains one.
 */
export function sessionMatches(s: SessionRecord, p: ProviderConfig): boolean {
  return sessionMismatch(s, p) === undefined;
}

/** The first setting the session no longer matches, in words for the log; undefined when it matches. */
export function sessionMismatch(s: SessionRecord, p: ProviderConfig): string | undefined {
  if (s.providerId !== p.id) return 'provider id';
  if (s.clientId !== p.clientId) return 'clientId';
  // With `resource` configured the issuer is whatever the resource names, so the resource binds it.
  if (p.issuer !== undefined && !sameUrl(s.endpoints.issuer, p.issuer)) return 'issuer';
  if (
    s.resource === undefined ? p.resource !== undefined : p.resource === undefined || !sameUrl(s.resource, p.resource)
  )
    return 'resource';
  if (p.endpoints?.token !== undefined && !sameUrl(s.endpoints.token_endpoint, p.endpoints.token))
    return 'token endpoint';
  // Sessions from before `resources` existed carry only `resource`.
  if (!sameSet(s.resources ?? (s.resource ? [s.resource] : []), resourcesOf(p) ?? [])) return 'set of resources';
  if ((s.audience ?? '') !== (p.audience ?? '')) return 'audience';
  if ((s.clientAuthentication ?? 'none') !== (p.clientAuthentication ?? 'none')) return 'clientAuthentication';
  if (!sameSet(s.scopes, p.scopes)) return 'scopes';
  return undefined;
}

const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/** As discovery compares issuers: by their parsed form (`https://x` and `https://x/` are one). */
const sameUrl = (a: string, b: string) => URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
