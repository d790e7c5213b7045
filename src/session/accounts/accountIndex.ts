import * as z from 'zod/mini';
import type { Logger } from '../../protocol/log.js';
import { LANE_NUMBER, LANE_SEPARATOR, providerLockName, providerOfLane } from '../laneIds.js';
import { accountIndexUnreadableText } from '../messages.js';
import type { SecretStore } from '../ports.js';
import type { RefreshLock } from '../sync/refreshLock.js';

/**
 * The persisted account index: one SecretStorage entry per provider (SecretStorage cannot list its
 * keys) naming its further lanes, the default account, the scope sets of scope-set lanes and the
 * lane numbers windows have reserved for a sign-in under way. Every window reads it and follows
 * its changes; it is changed only under its lock. Read forgivingly: an entry part that is wrong is
 * dropped on its own and the rest kept; text that is no JSON starts a new index (with a warning).
 */

export const ACCOUNTS_KEY_PREFIX = 'agent-auth/accounts/';

/** A lane's scope set (beyond the configured scopes). */
const ScopeSetSchema = z.array(z.string());
/** When a window reserved a lane number (epoch ms; z.number() takes no NaN or Infinity). */
const ReservedAtSchema = z.number();

/** The whole index's schema, built on first use (z.lazy): reading an index checks each part on its own (see accountIndexFrom). */
export const AccountIndexSchema = z.lazy(() =>
  z.object({
    /** Extra lanes, in the order they were added (the bare provider id is always the first lane). */
    lanes: z.array(z.string()),
    /** The lane of the default account; absent: the first lane with a session. */
    default: z.optional(z.string()),
    /** Lanes made for a getSession caller's scope set (beyond the configured scopes): that set. */
    scopes: z.optional(z.record(z.string(), ScopeSetSchema)),
    /** Lanes some window is signing in to (not in `lanes` yet): when it reserved the number (epoch ms). */
    reserved: z.optional(z.record(z.string(), ReservedAtSchema)),
  }),
);

export type AccountIndex = z.infer<typeof AccountIndexSchema>;

/** A reservation older than this is from a window that closed mid-sign-in (a device code lasts minutes). */
const RESERVATION_STALE_MS = 60 * 60_000;

/** A further lane of the provider (`acme#2`): the only lanes its index may name. */
const laneSchema = (providerId: string) =>
  z.string().check(z.refine((l) => providerOfLane(l) === providerId && LANE_NUMBER.test(l.slice(providerId.length))));

/**
 * The provider's index in parsed JSON, each part checked against AccountIndexSchema's on its own:
 * a lane that is not the provider's, a default that is no lane of it, a scope set of a lane not
 * listed, a reservation of a listed lane (or with no time) is dropped, the rest kept. A value that
 * is no object names nothing.
 */
export function accountIndexFrom(providerId: string, data: unknown): AccountIndex {
  const parts: Partial<Record<keyof AccountIndex, unknown>> = data && typeof data === 'object' ? data : {};
  const lane = laneSchema(providerId);
  const isLane = (l: unknown): l is string => z.safeParse(lane, l).success;
  const lanes = Array.isArray(parts.lanes) ? parts.lanes.filter(isLane) : [];
  const def = parts.default === providerId || isLane(parts.default) ? parts.default : undefined;
  const scopes = entriesOf(parts.scopes, ScopeSetSchema, (l) => lanes.includes(l));
  const reserved = entriesOf(parts.reserved, ReservedAtSchema, (l) => isLane(l) && !lanes.includes(l));
  return {
    lanes,
    ...(def && { default: def }),
    ...(Object.keys(scopes).length && { scopes }),
    ...(Object.keys(reserved).length && { reserved }),
  };
}

/** The entries of an object part whose key `key` accepts and whose value `value` does; none when the part is no object. */
function entriesOf<T>(part: unknown, value: z.ZodMiniType<T>, key: (k: string) => boolean): Record<string, T> {
  const kept: Record<string, T> = {};
  if (!part || typeof part !== 'object') return kept;
  for (const [k, v] of Object.entries(part)) {
    const r = z.safeParse(value, v);
    if (key(k) && r.success) kept[k] = r.data;
  }
  return kept;
}

/** The index with the lane in `lanes` (once), and its scope set if it has one. */
export const withLane = (ix: AccountIndex, laneId: string, scopes: string[] | undefined): AccountIndex => ({
  ...ix,
  lanes: [...new Set([...ix.lanes, laneId])],
  ...(scopes && { scopes: { ...ix.scopes, [laneId]: scopes } }),
});

/** The index without the lane's reservation (its sign-in ended). */
export function unreserved(ix: AccountIndex, laneId: string): AccountIndex {
  const { reserved, ...rest } = ix;
  const { [laneId]: _done, ...left } = reserved ?? {};
  return Object.keys(left).length ? { ...rest, reserved: left } : rest;
}

export interface AccountIndexDeps {
  secrets: SecretStore;
  lock: RefreshLock;
  log: Logger;
}

/** The index entries of the providers, as this window last read or wrote them. */
export class AccountIndexStore {
  private readonly known = new Map<string, AccountIndex>();

  constructor(private readonly deps: AccountIndexDeps) {}

  /** The provider's index as last read or written here; undefined before the first read. */
  get(providerId: string): AccountIndex | undefined {
    return this.known.get(providerId);
  }

  /** Takes a change into this window's copy ahead of writing it (see AccountRegistry.discover). */
  set(providerId: string, ix: AccountIndex): void {
    this.known.set(providerId, ix);
  }

  /** Reads the provider's entry again; true when it differs from this window's copy. */
  async reload(providerId: string): Promise<boolean> {
    const ix = await this.read(providerId);
    const before = this.known.get(providerId);
    this.known.set(providerId, ix);
    return JSON.stringify(before) !== JSON.stringify(ix);
  }

  /** Changes the provider's entry under its lock. */
  async update(providerId: string, change: (ix: AccountIndex) => AccountIndex): Promise<void> {
    await this.deps.lock.withLock(lockName(providerId), async () =>
      this.write(providerId, change(await this.read(providerId))),
    );
  }

  /**
   * A new lane number for a sign-in, reserved in the entry. No number is handed out twice at once,
   * across windows: the reservation is written under the lock, so a window adding an account at
   * the same time sees it, and `claim` (which makes the lane pending here) runs before the lock is
   * let go. It goes when the sign-in ends (the lane joins `lanes`, or is dropped), or after
   * RESERVATION_STALE_MS (a window that closed mid-sign-in). The number of a lane signed out since
   * may be given again. `pending`: the lanes this window is signing in to.
   */
  reserve(providerId: string, pending: ReadonlySet<string>, claim: (laneId: string) => void): Promise<string> {
    return this.deps.lock.withLock(lockName(providerId), async () => {
      const now = Date.now();
      const ix = await this.read(providerId);
      const reserved = Object.fromEntries(
        Object.entries(ix.reserved ?? {}).filter(([, at]) => now - at < RESERVATION_STALE_MS),
      );
      const used = [...ix.lanes, ...Object.keys(reserved), ...pending]
        .filter((l) => providerOfLane(l) === providerId)
        .map((l) => Number(l.split(LANE_SEPARATOR)[1]) || 1);
      const laneId = `${providerId}${LANE_SEPARATOR}${Math.max(1, ...used) + 1}`;
      await this.write(providerId, { ...ix, reserved: { ...reserved, [laneId]: now } });
      claim(laneId);
      return laneId;
    });
  }

  private async read(providerId: string): Promise<AccountIndex> {
    const raw = await this.deps.secrets.get(ACCOUNTS_KEY_PREFIX + providerId);
    if (raw === undefined) return { lanes: [] };
    const data = parseJson(raw);
    // No JSON, or JSON null: unreadable (logged), and a new index begins.
    if (data === null) {
      this.deps.log.warn(accountIndexUnreadableText(providerId));
      return { lanes: [] };
    }
    return accountIndexFrom(providerId, data);
  }

  /** Under the index lock. */
  private async write(providerId: string, ix: AccountIndex): Promise<void> {
    if (ix.lanes.length || ix.default || ix.scopes || ix.reserved)
      await this.deps.secrets.store(ACCOUNTS_KEY_PREFIX + providerId, JSON.stringify(ix));
    else await this.deps.secrets.delete(ACCOUNTS_KEY_PREFIX + providerId);
    this.known.set(providerId, ix);
  }
}

/** The parsed text; null when it is no JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const lockName = (providerId: string) => providerLockName(providerId, 'accounts');
