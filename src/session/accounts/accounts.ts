import type { Logger } from '../../protocol/log.js';
import { LANE_NUMBER, LANE_SEPARATOR, providerLockName, providerOfLane } from '../laneIds.js';
import { accountRefCandidates, parseAccountRef } from '../../protocol/ids.js';
import { allowedScopesOf, type ProviderConfig } from '../config/config.js';
import { SessionError } from '../errors.js';
import type { SessionPeers } from '../sync/peers.js';
import type { SecretStore } from '../ports.js';
import type { RefreshLock } from '../sync/refreshLock.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { LanePolicy, TokenService } from '../tokenService.js';

/**
 * Several accounts per provider. Each account lives in its own "lane": a provider config with
 * its own id, which the TokenService handles like any provider (its own SecretStorage entry,
 * lock, schedule). The first account keeps the bare provider id (so sessions stored before
 * accounts existed keep working); further accounts get `acme#2`, `acme#3`… (internal, never typed
 * by users: `#` cannot appear in a provider id or an account reference).
 *
 * SecretStorage cannot list its keys, so one index entry per provider names its extra lanes and
 * the default account; every window reads it and follows its changes (desktop windows share
 * SecretStorage and hear each other's writes). Web windows (code-server, vscode.dev) never hear
 * another window's writes: there a lane becomes known when the window handoff (src/peers) brings
 * a session for it (see lanesFromPeers); the choice of default account is not handed over.
 */

export const ACCOUNTS_KEY_PREFIX = 'agent-auth/accounts/';
/** Sent by "Sign in with another account", and by a sign-in again where the provider has several accounts, unless the provider entry sets its own `prompt`. */
export const SELECT_ACCOUNT_PROMPT = 'select_account';

interface AccountIndex {
  /** Extra lanes, in the order they were added (the bare provider id is always the first lane). */
  lanes: string[];
  /** The lane of the default account; absent: the first lane with a session. */
  default?: string;
  /** Lanes made for a getSession caller's scope set (beyond the configured scopes): that set. */
  scopes?: Record<string, string[]>;
  /** Lanes some window is signing in to (not in `lanes` yet): when it reserved the number (epoch ms). */
  reserved?: Record<string, number>;
}

export interface Account {
  laneId: string;
  providerId: string;
  /** As the server reported it. */
  label: string;
  id: string;
  isDefault: boolean;
  session: SessionRecord;
}

export interface AccountRegistryDeps {
  secrets: SecretStore;
  service: TokenService;
  lock: RefreshLock;
  log: Logger;
}

/** What token consumers need: which lane a reference names (see AccountRegistry.resolve). */
export interface AccountResolver {
  resolve(ref: string): string;
  defaultLane(providerId: string): string;
  lanes(providerId: string): string[];
  /** The reference (`acme@alice@example.com`, else `acme@<id>`) that reaches the lane's account; undefined when none does. */
  referenceOf(laneId: string): string | undefined;
}

/** Without several accounts (tests, callers that predate them): every id names itself. */
export const SINGLE_ACCOUNTS: AccountResolver = {
  resolve: (ref) => ref,
  defaultLane: (id) => id,
  lanes: (id) => [id],
  referenceOf: () => undefined,
};

export class AccountRegistry implements AccountResolver, LanePolicy {
  private base = new Map<string, ProviderConfig>();
  private index = new Map<string, AccountIndex>();
  /** Lanes being signed in to: registered with the service, not yet in the index. */
  private pending = new Set<string>();
  /** Lanes whose sign-in asks the server for its account picker. */
  private selecting = new Set<string>();
  /** Lanes "Sign in with another account" runs in (it deals with an account signed in twice itself). */
  private adding = new Set<string>();
  /** The scope sets of pending scope lanes. */
  private pendingScopes = new Map<string, string[]>();
  private listeners = new Set<() => void>();
  private readonly watch: { dispose(): void };
  private loaded: Promise<void> = Promise.resolve();
  private narrowed: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AccountRegistryDeps) {
    this.watch = deps.secrets.onDidChange((key) => {
      if (key.startsWith(ACCOUNTS_KEY_PREFIX)) void this.reload(key.slice(ACCOUNTS_KEY_PREFIX.length));
    });
    deps.service.setLanePolicy(this);
  }

  /** Replaces the configured providers; every lane of theirs is registered with the service. */
  setProviders(providers: ProviderConfig[]): Promise<void> {
    this.base = new Map(providers.map((p) => [p.id, p]));
    this.apply();
    this.loaded = Promise.all(providers.map((p) => this.reload(p.id))).then(() => undefined);
    // Not part of `loaded` (callers wait for that, and revocation is network): see scopeSetAllowed.
    this.narrowed = this.loaded.then(() => this.signOutNarrowed());
    return this.loaded;
  }

  /** Resolves once the scope-set sessions the settings no longer allow are signed out (see setProviders). */
  settled(): Promise<void> {
    return this.narrowed;
  }

  /**
   * Whether the lane's session is one the settings allow: an account lane always, a scope-set lane
   * while its set is within the provider's allowedScopes (narrowing them ends it, see setProviders).
   */
  scopeSetAllowed(laneId: string): boolean {
    const base = this.base.get(providerOfLane(laneId));
    const scopes = this.scopesOf(laneId);
    return !scopes || (!!base && outsideAllowed(base, scopes).length === 0);
  }

  /** The scope-set lanes of the provider that hold a session (made for getSession callers; no accounts of their own). */
  scopeSets(providerId: string): Account[] {
    return this.lanes(providerId)
      .filter((l) => this.scopesOf(l) && !this.pending.has(l))
      .flatMap((l) => this.account(l));
  }

  /** Resolves once the index entries of the configured providers have been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Every lane of the provider, the bare id first. */
  lanes(providerId: string): string[] {
    const extra = [
      ...(this.index.get(providerId)?.lanes ?? []),
      ...[...this.pending].filter((l) => providerOfLane(l) === providerId),
    ];
    return [providerId, ...new Set(extra)];
  }

  /** The scope set a lane was made for; undefined: the provider's configured scopes. */
  scopesOf(laneId: string): string[] | undefined {
    return this.pendingScopes.get(laneId) ?? this.index.get(providerOfLane(laneId))?.scopes?.[laneId];
  }

  /** The signed-in accounts of the provider (lanes holding a session, without scope-set lanes), in the order they were added. */
  accounts(providerId: string): Account[] {
    const def = this.defaultLane(providerId);
    return this.lanes(providerId)
      .filter((l) => !this.scopesOf(l))
      .flatMap((laneId) => {
        const s = this.deps.service.state(laneId)?.session;
        return s
          ? [{ laneId, providerId, label: s.account.label, id: s.account.id, isDefault: laneId === def, session: s }]
          : [];
      });
  }

  /** The lane `acme` means: the chosen default while it holds a session, else the first lane that does. */
  defaultLane(providerId: string): string {
    const lanes = this.lanes(providerId).filter((l) => !this.pending.has(l) && !this.scopesOf(l));
    const has = (l: string) => !!this.deps.service.state(l)?.session;
    const chosen = this.index.get(providerId)?.default;
    if (chosen && lanes.includes(chosen) && has(chosen)) return chosen;
    return lanes.find(has) ?? providerId;
  }

  /**
   * The lane a reference names: `acme` (default account), `acme@alice@example.com` (account
   * label, any case) or `acme@alice` (the label's part before "@", when only one account has it).
   * A lane id (`acme#2`) names itself.
   */
  resolve(ref: string): string {
    if (this.deps.service.state(ref)) {
      const p = providerOfLane(ref);
      return p === ref ? this.defaultLane(p) : ref;
    }
    const parsed = parseAccountRef(ref);
    if (!parsed || !this.base.has(parsed.providerId)) {
      throw new SessionError(
        'unknown_provider',
        `No provider "${parsed?.providerId ?? ref}" is configured in agentAuth.providers.`,
      );
    }
    const { providerId, account } = parsed;
    if (account === undefined) return this.defaultLane(providerId);
    const accounts = this.accounts(providerId);
    const wanted = account.toLowerCase();
    const exact = accounts.filter((a) => a.label.toLowerCase() === wanted);
    if (exact.length >= 1) return exact[0].laneId;
    // The id the server reported (`sub`): how an account whose label has spaces is named.
    const byId = accounts.find((a) => a.id === account);
    if (byId) return byId.laneId;
    const local = accounts.filter((a) => a.label.toLowerCase().split('@')[0] === wanted);
    if (local.length === 1) return local[0].laneId;
    const label = this.base.get(providerId)!.label;
    // An account whose label cannot be typed in a reference is listed with the one that reaches it.
    const known = accounts
      .map((a) => {
        const r = this.referenceOf(a.laneId);
        return !r || r === `${providerId}@${a.label}` ? a.label : `${a.label} (${r})`;
      })
      .join(', ');
    if (local.length > 1)
      throw new SessionError(
        'unknown_account',
        `"${account}" matches several ${label} accounts (${known}); name one in full, e.g. ${providerId}@${local[0].label}.`,
      );
    throw new SessionError(
      'unknown_account',
      accounts.length
        ? `${label} has no account "${account}"; signed in: ${known} (name one as ${providerId}@<account>).`
        : `${label} has no account "${account}": no account is signed in. Run "Agent Auth: Sign In".`,
    );
  }

  /**
   * The reference that reaches the lane's account, as a user would type it: by the account's
   * label when that fits the reference pattern and reaches it, else by its id (the `sub`);
   * undefined when neither does (a scope-set lane, or both with spaces or other characters).
   */
  referenceOf(laneId: string): string | undefined {
    const s = this.deps.service.state(laneId)?.session;
    if (!s || this.scopesOf(laneId)) return undefined;
    return accountRefCandidates(providerOfLane(laneId), s.account).find((ref) => {
      try {
        return this.resolve(ref) === laneId;
      } catch {
        return false;
      }
    });
  }

  // ---- the lane policy (see TokenService) ----------------------------------------------------

  /** "Dev IdP" while the provider has one lane; with several, "Dev IdP (dev@bob@example.com)" (never `dev#2`). */
  nameOf(laneId: string): string | undefined {
    const providerId = providerOfLane(laneId);
    const base = this.base.get(providerId);
    if (!base) return undefined;
    if (this.lanes(providerId).length < 2) return base.label;
    const s = this.deps.service.state(laneId)?.session;
    if (!s) return base.label;
    const scopes = this.scopesOf(laneId)?.filter((x) => !base.scopes.includes(x));
    if (scopes?.length) return `${base.label} (${s.account.label}, +${scopes.join(' ')})`;
    return `${base.label} (${this.referenceOf(laneId) ?? s.account.label})`;
  }

  /**
   * A sign-in again of a lane that holds an account (its session, kept when the refresh token
   * died) names that account to the server: `login_hint` (OIDC Core 3.1.2.1) with its label,
   * unless the label has spaces (a display name, no login name), and, where the provider has
   * several accounts, `prompt=select_account`; the entry's own `login_hint`/`prompt` win.
   */
  signInConfig(laneId: string): ProviderConfig | undefined {
    const state = this.deps.service.state(laneId);
    const s = state?.session;
    if (!state || !s || this.adding.has(laneId)) return undefined;
    const own = state.provider.authorizationParameters ?? {};
    const several = this.accounts(providerOfLane(laneId)).length > 1;
    const hint = own.login_hint || /\s/.test(s.account.label) ? undefined : s.account.label;
    const prompt = own.prompt || !several ? undefined : SELECT_ACCOUNT_PROMPT;
    if (!hint && !prompt) return undefined;
    return {
      ...state.provider,
      authorizationParameters: { ...own, ...(hint && { login_hint: hint }), ...(prompt && { prompt }) },
    };
  }

  /**
   * Two lanes never hold one account: a sign-in (again) that brought an account another lane of
   * the provider holds is refused, naming both; the other lane keeps it.
   */
  checkSignIn(laneId: string, s: SessionRecord): void {
    if (this.adding.has(laneId) || this.scopesOf(laneId)) return;
    const providerId = providerOfLane(laneId);
    const holder = this.accounts(providerId).find((a) => a.laneId !== laneId && a.id === s.account.id);
    if (!holder) return;
    const label = this.base.get(providerId)?.label ?? providerId;
    const meant = this.deps.service.state(laneId)?.session?.account;
    const held = this.referenceOf(holder.laneId) ?? holder.label;
    if (meant && meant.id !== s.account.id) {
      throw new SessionError(
        'account_in_use',
        `Signing in to ${label} again as ${meant.label} (${this.referenceOf(laneId) ?? meant.label}) signed in ${s.account.label} instead, which is already signed in as ${held}; kept that one and dropped this sign-in. Sign in again and choose ${meant.label} at ${label} (or sign out of ${s.account.label} in the browser first).`,
      );
    }
    throw new SessionError(
      'account_in_use',
      `${label} signed in ${s.account.label}, which is already signed in as ${held}; kept that one and dropped this sign-in.`,
    );
  }

  /**
   * A session for a lane this window does not know arrived from another window (a web window,
   * whose SecretStorage never hears of the other's new account): the lane is registered before
   * the session is taken, as a scope-set lane when the session's scopes say so.
   */
  discover(s: SessionRecord): void {
    const laneId = s.providerId;
    const providerId = providerOfLane(laneId);
    const base = this.base.get(providerId);
    if (
      !base ||
      laneId === providerId ||
      this.lanes(providerId).includes(laneId) ||
      !LANE_NUMBER.test(laneId.slice(providerId.length))
    )
      return;
    const scopes = sameSet(s.scopes, base.scopes) ? undefined : s.scopes;
    this.deps.log.info(`Another window added an account lane to ${base.label}; registering it here.`);
    const ix = this.index.get(providerId) ?? { lanes: [] };
    this.index.set(providerId, {
      ...ix,
      lanes: [...ix.lanes, laneId],
      ...(scopes && { scopes: { ...ix.scopes, [laneId]: scopes } }),
    });
    this.apply();
    this.emit();
    void this.updateIndex(providerId, (cur) => ({
      ...cur,
      lanes: [...new Set([...cur.lanes, laneId])],
      ...(scopes && { scopes: { ...cur.scopes, [laneId]: scopes } }),
    })).catch((e: Error) => this.deps.log.warn(`Recording the account lane of ${base.label}: ${e.message}`));
  }

  /** Makes the lane's account the one `acme` means, in every window. */
  async setDefault(laneId: string): Promise<void> {
    const providerId = providerOfLane(laneId);
    if (!this.lanes(providerId).includes(laneId))
      throw new SessionError('unknown_account', `No account lane "${laneId}".`);
    await this.updateIndex(providerId, (ix) => ({ ...ix, default: laneId }));
  }

  /**
   * "Sign in with another account": reserves a lane (the bare one when it is empty), runs the
   * sign-in there with `prompt=select_account`, and keeps the lane only when it succeeded with an
   * account the provider did not have yet. Returns the lane of the account signed in to.
   */
  async addAccount(
    providerId: string,
    signIn: (lane: ProviderConfig) => Promise<boolean>,
    opts: { scopes?: string[] } = {},
  ): Promise<string | undefined> {
    const base = this.base.get(providerId);
    if (!base)
      throw new SessionError('unknown_provider', `No provider "${providerId}" is configured in agentAuth.providers.`);
    const scopes =
      opts.scopes && !sameSet(opts.scopes, base.scopes) ? [...new Set([...base.scopes, ...opts.scopes])] : undefined;
    const outside = scopes && outsideAllowed(base, scopes);
    if (outside?.length) {
      throw new SessionError(
        'scope_not_allowed',
        `${base.label} does not allow the scope${outside.length > 1 ? 's' : ''} ${outside.join(', ')} (its allowedScopes: ${allowedScopesOf(base).join(' ')}).`,
      );
    }
    await this.loaded;
    const empty = scopes
      ? undefined
      : this.lanes(providerId).find((l) => !this.scopesOf(l) && !this.deps.service.state(l)?.session);
    const laneId = empty ?? (await this.reserveLane(providerId, scopes));
    const others = scopes
      ? this.lanes(providerId)
          .filter((l) => l !== laneId && sameSet(this.scopesOf(l) ?? [], scopes))
          .flatMap((l) => this.account(l))
      : this.accounts(providerId).filter((a) => a.laneId !== laneId);
    let ok = false;
    // A scope set is for the account the user has; another account is what select_account is for.
    if (others.length && !scopes) this.selecting.add(laneId);
    this.adding.add(laneId);
    try {
      this.apply();
      ok = await signIn(this.deps.service.state(laneId)!.provider);
    } finally {
      this.adding.delete(laneId);
      this.selecting.delete(laneId);
      this.apply();
      if (!ok) await this.dropLane(laneId);
    }
    if (!ok) return undefined;
    const s = this.deps.service.state(laneId)?.session;
    const same = s && others.find((a) => a.id === s.account.id);
    if (same) {
      // The server signed in an account this provider already has: keep the one there was.
      this.deps.log.info(`${base.label}: already signed in as ${same.label}; the second sign-in was dropped.`);
      await this.deps.service.signOut(laneId).catch(() => undefined);
      await this.dropLane(laneId);
      return same.laneId;
    }
    if (laneId !== providerId) {
      await this.updateIndex(providerId, (ix) =>
        unreserved(
          {
            ...ix,
            lanes: [...new Set([...ix.lanes, laneId])],
            ...(scopes && { scopes: { ...ix.scopes, [laneId]: scopes } }),
          },
          laneId,
        ),
      );
    }
    this.pending.delete(laneId);
    this.pendingScopes.delete(laneId);
    this.emit();
    return laneId;
  }

  /**
   * Signs out of one account, with the scope-set sessions made for it (sign-out means out); their
   * lanes go, the other accounts stay. A scope-set lane signs out alone.
   */
  async signOut(laneId: string): Promise<void> {
    const s = this.scopesOf(laneId) ? undefined : this.deps.service.state(laneId)?.session;
    const sets = s
      ? this.scopeSets(providerOfLane(laneId))
          .filter((a) => a.id === s.account.id)
          .map((a) => a.laneId)
      : [];
    await this.deps.service.signOutAll([laneId, ...sets]);
    for (const l of [laneId, ...sets]) await this.dropLane(l);
  }

  dispose(): void {
    this.deps.service.setLanePolicy(undefined);
    this.watch.dispose();
    this.listeners.clear();
  }

  // ---- lanes -------------------------------------------------------------------------------

  private account(laneId: string): Account[] {
    const s = this.deps.service.state(laneId)?.session;
    return s
      ? [
          {
            laneId,
            providerId: providerOfLane(laneId),
            label: s.account.label,
            id: s.account.id,
            isDefault: false,
            session: s,
          },
        ]
      : [];
  }

  private async reserveLane(providerId: string, scopes?: string[]): Promise<string> {
    // No number is handed out twice at once, across windows: the reservation is written to the index
    // under its lock, so a window adding an account at the same time sees it. It goes when the
    // sign-in ends (dropLane, or the lane joins `lanes`), or after RESERVATION_STALE_MS (a window
    // that closed mid-sign-in). The number of a lane signed out since may be given again.
    return this.deps.lock.withLock(indexLockName(providerId), async () => {
      const now = Date.now();
      const ix = await this.readIndex(providerId);
      const reserved = Object.fromEntries(
        Object.entries(ix.reserved ?? {}).filter(([, at]) => now - at < RESERVATION_STALE_MS),
      );
      const used = [...ix.lanes, ...Object.keys(reserved), ...this.pending]
        .filter((l) => providerOfLane(l) === providerId)
        .map((l) => Number(l.split(LANE_SEPARATOR)[1]) || 1);
      const laneId = `${providerId}${LANE_SEPARATOR}${Math.max(1, ...used) + 1}`;
      await this.writeIndex(providerId, { ...ix, reserved: { ...reserved, [laneId]: now } });
      this.pending.add(laneId);
      if (scopes) this.pendingScopes.set(laneId, scopes);
      this.apply();
      return laneId;
    });
  }

  private async dropLane(laneId: string): Promise<void> {
    const providerId = providerOfLane(laneId);
    this.pending.delete(laneId);
    this.pendingScopes.delete(laneId);
    if (laneId === providerId) return void this.emit();
    await this.updateIndex(providerId, (ix) => {
      const { [laneId]: _gone, ...scopes } = ix.scopes ?? {};
      return unreserved(
        {
          lanes: ix.lanes.filter((l) => l !== laneId),
          default: ix.default === laneId ? undefined : ix.default,
          ...(Object.keys(scopes).length && { scopes }),
          reserved: ix.reserved,
        },
        laneId,
      );
    });
  }

  /** Scope-set sessions whose set the provider's allowedScopes no longer hold: signed out (revoked as any sign-out), their lanes dropped. */
  private async signOutNarrowed(): Promise<void> {
    for (const base of this.base.values()) {
      for (const laneId of this.lanes(base.id).filter((l) => !this.pending.has(l) && !this.scopeSetAllowed(l))) {
        const outside = outsideAllowed(base, this.scopesOf(laneId)!);
        this.deps.log.info(
          `${base.label}: allowedScopes no longer include ${outside.join(' ')}; signing out the session made for that scope set.`,
        );
        try {
          await this.signOut(laneId);
        } catch (e) {
          this.deps.log.warn(
            `Signing out the ${base.label} session for a scope set no longer allowed: ${(e as Error).message}`,
          );
        }
      }
    }
  }

  private apply(): void {
    const all: ProviderConfig[] = [];
    for (const p of this.base.values()) {
      for (const laneId of this.lanes(p.id)) {
        const scopes = this.scopesOf(laneId);
        const lane = laneId === p.id ? p : { ...p, id: laneId, laneOf: p.id, ...(scopes && { scopes }) };
        all.push(this.selecting.has(laneId) ? withSelectAccount(lane) : lane);
      }
    }
    this.deps.service.setProviders(all);
  }

  // ---- the index entry --------------------------------------------------------------------

  private async reload(providerId: string): Promise<void> {
    if (!this.base.has(providerId)) return;
    const ix = await this.readIndex(providerId);
    const before = this.index.get(providerId);
    this.index.set(providerId, ix);
    if (JSON.stringify(before) !== JSON.stringify(ix)) {
      this.apply();
      this.emit();
    }
  }

  private async readIndex(providerId: string): Promise<AccountIndex> {
    const raw = await this.deps.secrets.get(ACCOUNTS_KEY_PREFIX + providerId);
    if (raw === undefined) return { lanes: [] };
    try {
      const data = JSON.parse(raw) as { lanes?: unknown; default?: unknown; scopes?: unknown; reserved?: unknown };
      const lane = (l: unknown): l is string =>
        typeof l === 'string' && providerOfLane(l) === providerId && LANE_NUMBER.test(l.slice(providerId.length));
      const lanes = Array.isArray(data.lanes) ? data.lanes.filter(lane) : [];
      const def =
        typeof data.default === 'string' && (data.default === providerId || lane(data.default))
          ? data.default
          : undefined;
      const scopes: Record<string, string[]> = {};
      if (data.scopes && typeof data.scopes === 'object') {
        for (const [l, set] of Object.entries(data.scopes)) {
          if (lanes.includes(l) && Array.isArray(set) && set.every((x) => typeof x === 'string')) scopes[l] = set;
        }
      }
      const reserved: Record<string, number> = {};
      if (data.reserved && typeof data.reserved === 'object') {
        for (const [l, at] of Object.entries(data.reserved))
          if (lane(l) && !lanes.includes(l) && typeof at === 'number' && Number.isFinite(at)) reserved[l] = at;
      }
      return {
        lanes,
        ...(def && { default: def }),
        ...(Object.keys(scopes).length && { scopes }),
        ...(Object.keys(reserved).length && { reserved }),
      };
    } catch {
      this.deps.log.warn(`The account list of "${providerId}" is unreadable; starting a new one.`);
      return { lanes: [] };
    }
  }

  private async updateIndex(providerId: string, change: (ix: AccountIndex) => AccountIndex): Promise<void> {
    await this.deps.lock.withLock(indexLockName(providerId), async () =>
      this.writeIndex(providerId, change(await this.readIndex(providerId))),
    );
    this.apply();
    this.emit();
  }

  /** Under the index lock. */
  private async writeIndex(providerId: string, ix: AccountIndex): Promise<void> {
    if (ix.lanes.length || ix.default || ix.scopes || ix.reserved)
      await this.deps.secrets.store(ACCOUNTS_KEY_PREFIX + providerId, JSON.stringify(ix));
    else await this.deps.secrets.delete(ACCOUNTS_KEY_PREFIX + providerId);
    this.index.set(providerId, ix);
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.deps.log.error(`An account listener failed: ${(err as Error).message}`);
      }
    }
  }
}

/** The lane's config for "Sign in with another account": the server's account picker, unless the entry sets its own `prompt`. */
function withSelectAccount(lane: ProviderConfig): ProviderConfig {
  if (lane.authorizationParameters?.prompt) return lane;
  return { ...lane, authorizationParameters: { ...lane.authorizationParameters, prompt: SELECT_ACCOUNT_PROMPT } };
}

/**
 * The window handoff (src/peers), telling `registry` of lanes it has not heard of before a
 * session for one is taken (the registry exists after the TokenService that serves the peers).
 */
export function lanesFromPeers(
  peers: SessionPeers,
  registry: () => Pick<AccountRegistry, 'discover'> | undefined,
): SessionPeers {
  return {
    publish: (s) => peers.publish(s),
    publishSignOut: (id, sessionId) => peers.publishSignOut(id, sessionId),
    request: (id, want) => peers.request(id, want),
    serve: (h) =>
      peers.serve({
        lookup: (id) => h.lookup(id),
        signedOut: (id, sessionId) => h.signedOut(id, sessionId),
        receive: (s) => {
          registry()?.discover(s);
          h.receive(s);
        },
      }),
  };
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && a.every((x) => b.includes(x)) && new Set(a).size === new Set(b).size;

/** The scopes the server granted (its `scope` answer), or those requested when it did not say. */
export const grantedScopes = (s: SessionRecord): string[] =>
  s.grantedScope ? s.grantedScope.split(' ').filter(Boolean) : s.scopes;

const indexLockName = (providerId: string) => providerLockName(providerId, 'accounts');

/** A reservation older than this is from a window that closed mid-sign-in (a device code lasts minutes). */
const RESERVATION_STALE_MS = 60 * 60_000;

/** The index without the lane's reservation (its sign-in ended). */
function unreserved(ix: AccountIndex, laneId: string): AccountIndex {
  const { reserved, ...rest } = ix;
  const { [laneId]: _done, ...left } = reserved ?? {};
  return Object.keys(left).length ? { ...rest, reserved: left } : rest;
}

/** The scopes of `scopes` a provider's allowedScopes do not hold. */
const outsideAllowed = (base: ProviderConfig, scopes: string[]) =>
  scopes.filter((s) => !allowedScopesOf(base).includes(s));
