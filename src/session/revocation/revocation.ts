import type { FetchLike } from '../../protocol/http.js';
import type { Logger } from '../../protocol/log.js';
import { revokeToken } from '../../protocol/tokens.js';
import { providerOfLane } from '../laneIds.js';
import { clientContext, type ClientContextSource, type ClientSecretSource } from '../signIn/clientContext.js';
import type { ProviderConfig } from '../config/config.js';
import type { RefreshLock } from '../sync/refreshLock.js';
import type { LedgerEntry, RevocationLedger } from './revocationLedger.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import { sessionMismatch } from '../config/sessionMatches.js';
import type { SessionStore } from '../store/sessionStore.js';
import {
  forgottenNotRevokedText,
  keptTokenRevocationFailedText,
  mismatchText,
  noRevocationEndpointText,
  releaseFailedText,
  retireFailedText,
  revocationFailedText,
  revokedText,
} from '../messages.js';

export interface RevocationDeps {
  fetch: FetchLike;
  clientSecrets?: ClientSecretSource;
  log: Logger;
}

/**
 * Whether two sessions may rest on one grant at their server: the same account of the same client
 * at the same token endpoint. oidc-provider and Keycloak, for example, keep one grant per account
 * and client, and revoking any refresh token of it ends every session of that grant; so a session
 * that shares its grant with one still in use is not revoked until that one goes (see SessionRevoker).
 */
export function mayShareGrant(a: SessionRecord, b: GrantHolder): boolean {
  return a.sessionId !== b.sessionId && sameGrantHolder(a, b);
}

/** A session, or a token kept in the revocation ledger (no sessionId: it is no session in use). */
export type GrantHolder = Pick<SessionRecord, 'account' | 'clientId' | 'endpoints'> & { sessionId?: string };

/** The same account of the same client at the same token endpoint (see mayShareGrant). */
function sameGrantHolder(a: GrantHolder, b: GrantHolder): boolean {
  return (
    a.account.id === b.account.id &&
    a.clientId === b.clientId &&
    a.endpoints.issuer === b.endpoints.issuer &&
    a.endpoints.token_endpoint === b.endpoints.token_endpoint
  );
}

/** What revocation needs of a session (or of a token kept in the ledger). */
type Revocable = ClientContextSource & Pick<SessionRecord, 'refreshToken' | 'accessToken'>;

/** RFC 7009 at the session's own server: the refresh token, else the access token. */
export async function revokeSession(s: Revocable, label: string, deps: RevocationDeps): Promise<void> {
  const token = s.refreshToken ?? s.accessToken;
  if (!token) return;
  const done = await revokeToken(
    await clientContext(s, deps),
    token,
    s.refreshToken ? 'refresh_token' : 'access_token',
  );
  deps.log.info(done ? revokedText(label, !!s.refreshToken) : noRevocationEndpointText(label));
}

/** The sessions holding distinct tokens. */
const distinctSessions = (sessions: (SessionRecord | undefined)[]) =>
  sessions.filter(
    (x, i, all): x is SessionRecord =>
      !!x && all.findIndex((y) => y?.refreshToken === x.refreshToken && y?.accessToken === x.accessToken) === i,
  );

/** Revokes each distinct session of a sign-out; a failure is logged, never thrown (the session is forgotten anyway). */
export async function revokeAll(
  sessions: (SessionRecord | undefined)[],
  label: string,
  deps: RevocationDeps,
): Promise<void> {
  for (const s of distinctSessions(sessions)) {
    try {
      await revokeSession(s, label, deps);
    } catch (err) {
      deps.log.warn(revocationFailedText(label, (err as Error).message));
    }
  }
}

export interface SessionRevokerDeps extends RevocationDeps {
  ledger: RevocationLedger;
  /** Whether a session still signed in may rest on the grant of `s` (see mayShareGrant). */
  hasPartner: (s: GrantHolder) => boolean;
}

/**
 * Ends the tokens of sessions that go (sign-out, a sign-in that replaced them, a settings change)
 * without ending one that stays: a session that may share its grant with one still signed in is
 * forgotten and its token kept in the revocation ledger; when the last session of that account,
 * client and server goes, its token and every ledgered one with no partner left are revoked.
 */
export class SessionRevoker {
  constructor(private readonly deps: SessionRevokerDeps) {}

  /** Decides at once (the decision is logged before the first await), revokes or keeps after. Never throws. */
  async release(sessions: (SessionRecord | undefined)[], label: string): Promise<void> {
    const { log, ledger, hasPartner } = this.deps;
    const going = distinctSessions(sessions);
    if (!going.length) return;
    const shared = going.some(hasPartner);
    if (shared) log.info(forgottenNotRevokedText(label, going[0].account.label));
    try {
      if (shared) {
        await ledger.keep(going);
        // The partner may have gone meanwhile (its own release found no token of ours in the ledger yet).
        if (going.some(hasPartner)) return;
      } else {
        await revokeAll(going, label, this.deps);
      }
      await this.revokeLedgered(providerOfLane(going[0].providerId), label);
    } catch (err) {
      log.warn(releaseFailedText(label, (err as Error).message));
    }
  }

  /** Revokes the provider's ledgered tokens that no session still signed in may share; a failed one is kept for a later try. */
  private async revokeLedgered(providerId: string, label: string): Promise<void> {
    const { log, ledger, hasPartner } = this.deps;
    const due = await ledger.take(providerId, (e) => !hasPartner(e));
    const failed: LedgerEntry[] = [];
    for (const e of due) {
      try {
        await revokeSession(e, label, this.deps);
      } catch (err) {
        log.warn(keptTokenRevocationFailedText(e.account.label, label, (err as Error).message));
        failed.push(e);
      }
    }
    if (failed.length) await ledger.add(failed);
  }
}

/**
 * Signs out sessions made for other settings of their provider (see sessionMatches): deletes the
 * entry under the lock if it still holds that sign-in, then revokes it at the server that issued
 * it, unless a session still signed in may share its grant (see SessionRevoker). Once per sign-in.
 */
export class MismatchRetirer {
  private readonly retired = new Set<string>();

  constructor(
    private readonly deps: { log: Logger; store: SessionStore; lock: RefreshLock; revoker: SessionRevoker },
  ) {}

  async retire(s: SessionRecord, provider: ProviderConfig): Promise<void> {
    if (this.retired.has(s.sessionId)) return;
    this.retired.add(s.sessionId);
    const { log, lock, store } = this.deps;
    log.warn(mismatchText(provider.label, sessionMismatch(s, provider)));
    try {
      await lock.withLock(s.providerId, async () => {
        const r = await store.read(s.providerId);
        if (r.kind === 'ok' && r.session.sessionId === s.sessionId) await store.delete(s.providerId);
      });
      // A lane of the same account that still matches may rest on its grant (see SessionRevoker).
      await this.deps.revoker.release([s], provider.label);
    } catch (err) {
      log.warn(retireFailedText(provider.label, (err as Error).message));
    }
  }
}
