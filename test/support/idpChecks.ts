import { createHash } from 'node:crypto';
import type { TestIdp } from '../fixtures/idp.js';

/** The key the IdP's stats use for a refresh token: its SHA-256, never the token. */
export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

interface Metadata {
  token_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
}

const metadata = new WeakMap<TestIdp, Promise<Metadata>>();

export function idpMetadata(idp: TestIdp): Promise<Metadata> {
  let m = metadata.get(idp);
  if (!m) {
    m = fetch(`${idp.issuer}/.well-known/openid-configuration`).then((r) => r.json() as Promise<Metadata>);
    metadata.set(idp, m);
  }
  return m;
}

/** RFC 7662 introspection at the IdP: is this token live there, and until when (epoch seconds)? */
export async function introspect(
  idp: TestIdp,
  token: string,
): Promise<{ active: boolean; exp?: number; sub?: string; scope?: string }> {
  const res = await fetch((await idpMetadata(idp)).introspection_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ client_id: idp.clientId, token }),
  });
  if (!res.ok) throw new Error(`Introspection answered HTTP ${res.status}`);
  return (await res.json()) as { active: boolean; exp?: number; sub?: string; scope?: string };
}

/** RFC 7009 revocation at the IdP, as an administrator or another client would do it. */
export async function revokeAtIdp(idp: TestIdp, token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
  const res = await fetch((await idpMetadata(idp)).revocation_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ client_id: idp.clientId, token, token_type_hint: hint }),
  });
  if (!res.ok) throw new Error(`Revocation answered HTTP ${res.status}`);
}

/** refresh_token grants the IdP has answered so far. */
export const refreshGrants = (idp: TestIdp) => idp.stats.grants.refresh_token ?? 0;
