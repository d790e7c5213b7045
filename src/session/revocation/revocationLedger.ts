import * as z from 'zod/mini';
import type { Logger } from '../../protocol/log.js';
import { describeIssues } from '../../protocol/zodIssues.js';
import { providerLockName, providerOfLane } from '../laneIds.js';
import type { SecretStore } from '../ports.js';
import type { RefreshLock } from '../sync/refreshLock.js';
import { type SessionRecord, SessionRecordSchema } from '../store/sessionRecord.js';
import type { SessionStore } from '../store/sessionStore.js';
import {
  ledgerFullText,
  notJsonText,
  otherProviderText,
  unreadableLedgerEntryText,
  unreadableLedgerText,
} from '../messages.js';

/**
 * Tokens of sessions that were forgotten instead of revoked because another session of the same
 * account, client and server may rest on their grant (see mayShareGrant). Servers that keep one
 * grant per account and client end them with the last one anyway; servers that issue a grant per
 * authorization (Auth0, Okta…) would keep them live, so they wait here until the last session of
 * their account ends and are revoked then (see SessionRevoker). One SecretStorage entry per
 * configured provider (all its account lanes), versioned JSON validated on every read; the newest
 * MAX_ENTRIES are kept. Only storage: the revoking is the caller's.
 */
export const LEDGER_KEY_PREFIX = 'agent-auth/revocation-ledger/';
/** Per provider: a bound on what an IdP that refuses revocation could make us keep. */
export const MAX_LEDGER_ENTRIES = 20;

/** This file's schemas are built on first use (z.lazy), not at load: activation reads no ledger. */
export const LedgerEntrySchema = z.lazy(() =>
  z.extend(
    // The record's object schema (what its z.lazy built, once).
    z.pick(SessionRecordSchema._zod.innerType, {
      providerId: true,
      clientId: true,
      account: true,
      endpoints: true,
      resource: true,
      resources: true,
      audience: true,
      clientAuthentication: true,
      refreshToken: true,
      accessToken: true,
    }),
    /** Epoch ms the session was forgotten: the newest are kept. */
    { forgottenAt: z.number() },
  ),
);

export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

const LedgerSchema = z.lazy(() => z.object({ v: z.literal(1), entries: z.array(z.unknown()) }));

export interface RevocationLedgerDeps {
  secrets: SecretStore;
  /** Where unreadable entries are set aside (they may hold a token). */
  store: SessionStore;
  lock: RefreshLock;
  log: Logger;
  now: () => number;
}

export class RevocationLedger {
  constructor(private readonly deps: RevocationLedgerDeps) {}

  /** Keeps the token revocation would use of each session (refresh token, else access token). */
  async keep(sessions: SessionRecord[]): Promise<void> {
    const at = this.deps.now();
    await this.add(sessions.flatMap((s) => (s.refreshToken || s.accessToken ? [toEntry(s, at)] : [])));
  }

  /** Puts entries back (revocation failed: they wait for a later try). */
  async add(entries: LedgerEntry[]): Promise<void> {
    for (const [providerId, mine] of groupByProvider(entries)) {
      await this.update(providerId, (kept) => [...kept, ...mine]);
    }
  }

  /** Removes and returns the provider's entries that `due` picks (to revoke them now). */
  async take(providerId: string, due: (e: LedgerEntry) => boolean): Promise<LedgerEntry[]> {
    let taken: LedgerEntry[] = [];
    await this.update(providerId, (kept) => {
      taken = kept.filter(due);
      return kept.filter((e) => !due(e));
    });
    return taken;
  }

  private async update(providerId: string, change: (entries: LedgerEntry[]) => LedgerEntry[]): Promise<void> {
    await this.deps.lock.withLock(providerLockName(providerId, 'revocation-ledger'), async () => {
      const before = await this.read(providerId);
      const changed = change(before).sort((a, b) => a.forgottenAt - b.forgottenAt);
      // The usual sign-out: nothing kept, nothing to write.
      if (
        !before.length &&
        !changed.length &&
        (await this.deps.secrets.get(LEDGER_KEY_PREFIX + providerId)) === undefined
      )
        return;
      const dropped = changed.length - MAX_LEDGER_ENTRIES;
      if (dropped > 0) {
        this.deps.log.warn(ledgerFullText(providerId, dropped));
      }
      const entries = changed.slice(Math.max(0, dropped));
      const key = LEDGER_KEY_PREFIX + providerId;
      if (entries.length) await this.deps.secrets.store(key, JSON.stringify({ v: 1, entries }));
      else await this.deps.secrets.delete(key);
    });
  }

  /** The valid entries; the rest (or the whole text, when it is not a ledger) is set aside, never dropped: it may hold a token. */
  private async read(providerId: string): Promise<LedgerEntry[]> {
    const raw = await this.deps.secrets.get(LEDGER_KEY_PREFIX + providerId);
    if (raw === undefined) return [];
    const name = `${providerId}/revocation-ledger`;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      data = undefined;
    }
    const doc = LedgerSchema.safeParse(data);
    if (!doc.success) {
      const key = await this.deps.store.setAside(name, raw);
      const reason = data === undefined ? notJsonText : describeIssues(doc.error.issues, data, 'ledger');
      this.deps.log.error(unreadableLedgerText(providerId, reason, key));
      return [];
    }
    const valid: LedgerEntry[] = [];
    for (const [i, item] of doc.data.entries.entries()) {
      const r = LedgerEntrySchema.safeParse(item);
      const reason = !r.success
        ? describeIssues(r.error.issues, item, 'entry')
        : providerOfLane(r.data.providerId) !== providerId
          ? otherProviderText(r.data.providerId)
          : undefined;
      if (r.success && reason === undefined) {
        valid.push(r.data);
        continue;
      }
      const key = await this.deps.store.setAside(`${name}/${i}`, JSON.stringify(item));
      this.deps.log.error(unreadableLedgerEntryText(providerId, reason, key));
    }
    return valid;
  }
}

function toEntry(s: SessionRecord, forgottenAt: number): LedgerEntry {
  const { providerId, clientId, account, endpoints, resource, resources, audience, clientAuthentication } = s;
  // The token revokeSession would use: the refresh token, else the access token.
  const token = s.refreshToken ? { refreshToken: s.refreshToken } : { accessToken: s.accessToken };
  return {
    providerId,
    clientId,
    account,
    endpoints,
    resource,
    resources,
    audience,
    clientAuthentication,
    ...token,
    forgottenAt,
  };
}

function groupByProvider(entries: LedgerEntry[]): Map<string, LedgerEntry[]> {
  const by = new Map<string, LedgerEntry[]>();
  for (const e of entries) by.set(providerOfLane(e.providerId), [...(by.get(providerOfLane(e.providerId)) ?? []), e]);
  return by;
}
