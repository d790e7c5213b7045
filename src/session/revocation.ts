import type { FetchLike } from '../protocol/http.js';
import type { Logger } from '../protocol/log.js';
import { revokeToken } from '../protocol/tokens.js';
import { clientContext, type ClientSecretSource } from './clientContext.js';
import type { ProviderConfig } from './config.js';
import type { RefreshLock } from './refreshLock.js';
import type { SessionRecord } from './sessionRecord.js';
import { sessionMismatch } from './sessionMatches.js';
import type { SessionStore } from './sessionStore.js';

export interface RevocationDeps {
  fetch: FetchLike;
  clientSecrets?: ClientSecretSource;
  log: Logger;
}

/**
 * Whether two sessions may rest on one grant at their server: the same account of the same client
 * at the same token endpoint. oidc-provider and Keycloak, for example, keep one grant per account
 * and client, and revoking any refresh token of it ends every session of that grant; so a session
 * that shares its grant with one still in use is forgotten, not revoked.
 */
export function mayShareGrant(a: SessionRecord, b: SessionRecord): boolean {
  return (
    a.sessionId !== b.sessionId &&
    a.account.id === b.account.id &&
    a.clientId === b.clientId &&
    a.endpoints.issuer === b.endpoints.issuer &&
    a.endpoints.token_endpoint === b.endpoints.token_endpoint
  );
}

/** RFC 7009 at the session's own server: the refresh token, else the access token. */
export async function revokeSession(s: SessionRecord, label: string, deps: RevocationDeps): Promise<void> {
  const token = s.refreshToken ?? s.accessToken;
  if (!token) return;
  const done = await revokeToken(await clientContext(s, deps), token, s.refreshToken ? 'refresh_token' : 'access_token');
  deps.log.info(done ? `Revoked the ${s.refreshToken ? 'refresh' : 'access'} token at ${label}.` : `${label} has no revocation endpoint; nothing to revoke.`);
}

/** Revokes each distinct session of a sign-out; a failure is logged, never thrown (the session is forgotten anyway). */
export async function revokeAll(sessions: (SessionRecord | undefined)[], label: string, deps: RevocationDeps): Promise<void> {
  const distinct = sessions.filter((x, i, all): x is SessionRecord => !!x && all.findIndex((y) => y?.refreshToken === x.refreshToken && y?.accessToken === x.accessToken) === i);
  for (const s of distinct) {
    try {
      await revokeSession(s, label, deps);
    } catch (err) {
      deps.log.warn(`Revocation at ${label} failed (${(err as Error).message}); the session is forgotten anyway.`);
    }
  }
}

/**
 * Signs out sessions made for other settings of their provider (see sessionMatches): deletes the
 * entry under the lock if it still holds that sign-in, then revokes it at the server that issued
 * it. Once per sign-in.
 */
export class MismatchRetirer {
  private readonly retired = new Set<string>();

  constructor(private readonly deps: RevocationDeps & { store: SessionStore; lock: RefreshLock }) {}

  async retire(s: SessionRecord, provider: ProviderConfig): Promise<void> {
    if (this.retired.has(s.sessionId)) return;
    this.retired.add(s.sessionId);
    const { log, lock, store } = this.deps;
    log.warn(`The stored ${provider.label} session was made for another ${sessionMismatch(s, provider)} than configured now; signing it out.`);
    try {
      await lock.withLock(s.providerId, async () => {
        const r = await store.read(s.providerId);
        if (r.kind === 'ok' && r.session.sessionId === s.sessionId) await store.delete(s.providerId);
      });
      await revokeSession(s, provider.label, this.deps);
    } catch (err) {
      log.warn(`Signing out the old ${provider.label} session failed: ${(err as Error).message}`);
    }
  }
}
