import { isAuthError } from '../protocol/errors.js';
import type { FetchLike } from '../protocol/http.js';
import { fingerprint, type Logger } from '../protocol/log.js';
import { providerOfLane } from './laneIds.js';
import type { ClientSecretSource } from './signIn/clientContext.js';
import type { ProviderConfig, RefreshSettings } from './config/config.js';
import { needsSignIn, notSignedIn, SessionError } from './errors.js';
import type { Clock, SecretStore } from './ports.js';
import { CrossWindowSync } from './sync/crossWindow.js';
import { PeerFollower } from './sync/peerFollower.js';
import type { SessionPeers } from './sync/peers.js';
import { purgeQuarantined, type PurgeResult } from './store/quarantine.js';
import type { RefreshLock } from './sync/refreshLock.js';
import { backoffMs, isRefreshDue, refreshDueAt } from './refresh/refreshPolicy.js';
import { RefreshScheduler } from './refresh/refreshScheduler.js';
import { type GrantHolder, MismatchRetirer, mayShareGrant, SessionRevoker } from './revocation/revocation.js';
import { RevocationLedger } from './revocation/revocationLedger.js';
import { sessionMatches } from './config/sessionMatches.js';
import { redeem } from './refresh/redeem.js';
import { isUsable, type SessionRecord } from './store/sessionRecord.js';
import type { SessionStore } from './store/sessionStore.js';
import { signIn, type SignInUi } from './signIn/signIn.js';
import { atMostHalfLifetime, DEFAULT_MIN_VALIDITY_S } from './config/validity.js';
import { preferFreshWaitMs, settleWithin, stillValid, withWaitLimit } from './refresh/tokenWait.js';

export interface AccessToken {
  providerId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  envVar: string;
  account: { id: string; label: string };
}

export interface GetTokenOptions {
  /** Refresh even if the token looks valid: what a consumer does after a 401. */
  forceRefresh?: boolean;
  /**
   * The token a server just rejected: refresh unless a different, valid token is already there.
   * Unlike a bare forceRefresh this also replaces a token obtained moments ago.
   */
  rejectedToken?: string;
  /**
   * The token should stay valid at least this long. Default 15. A preference: while the current
   * token is valid, a refresh that is slow or failing does not turn into a refusal.
   */
  minValiditySeconds?: number;
  /** Longest this caller waits for a refresh it needs; default the service's waitTimeoutMs. */
  maxWaitMs?: number;
}

export type TokenChangeKind =
  'signedIn' | 'refreshing' | 'refreshed' | 'refreshFailed' | 'needsSignIn' | 'signedOut' | 'corrupt';

export interface TokenChange {
  providerId: string;
  kind: TokenChangeKind;
  /** For refreshFailed, needsSignIn and corrupt: what happened, in words for the user. */
  message?: string;
  /** The account the change is about (for signedOut: the one that signed out); absent when no session is known (an unreadable entry). */
  account?: { id: string; label: string };
}

export interface ProviderState {
  provider: ProviderConfig;
  /** The cached session. Holds tokens: never log or display it whole. */
  session?: SessionRecord;
  refreshing: boolean;
  lastRefresh?: { at: number; ok: boolean; message?: string };
  nextRefreshAt?: number;
}

export interface TokenServiceDeps {
  store: SessionStore;
  /** The SecretStorage under `store`: it also keeps the revocation ledger (see revocationLedger.ts). */
  secrets: SecretStore;
  lock: RefreshLock;
  /** A bounded fetch (see protocol/http.ts): its deadline must stay well under the lock's stale time. */
  fetch: FetchLike;
  log: Logger;
  clock: Clock;
  refreshSettings: () => RefreshSettings;
  random?: () => number;
  /** Longest a caller waits for a refresh it needs. */
  waitTimeoutMs?: number;
  /** Client secrets of confidential clients (see clientContext.ts). */
  clientSecrets?: ClientSecretSource;
  /** The other windows, reached without SecretStorage (src/peers); without it, SecretStorage alone carries sessions. */
  peers?: SessionPeers;
}

/**
 * What the account registry (accounts.ts) adds to its lanes; without one, every id is a provider
 * of its own and is named by its label.
 */
export interface LanePolicy {
  /** The lane in words for the user: the provider's label, with the account where it has several (never a lane id). */
  nameOf(id: string): string | undefined;
  /** The config an interactive sign-in of `id` uses (a sign-in again names the lane's account to the server). */
  signInConfig(id: string): ProviderConfig | undefined;
  /** Throws when a session just signed in must not be kept in lane `id` (another lane holds its account). */
  checkSignIn(id: string, s: SessionRecord): void;
}

interface Entry {
  session?: SessionRecord;
  loaded?: Promise<SessionRecord | undefined>;
  inflight?: Promise<SessionRecord>;
  /** Aborts the refresh in flight (sign-out wins over it). */
  abort?: AbortController;
  jitter: number;
  failures: number;
  retryAt?: number;
  lastRefresh?: ProviderState['lastRefresh'];
  lastKind?: TokenChangeKind;
}

/** A forced refresh right after another one would only burn a refresh token: reuse the fresh result. */
const FRESH_ENOUGH_MS = 2_000;
/** Foreground attempts before a waiting caller gets the error (the schedule keeps trying). */
const FOREGROUND_ATTEMPTS = 3;
/** Longest pause between foreground attempts; a caller is waiting. */
const FOREGROUND_MAX_WAIT_MS = 4_000;

/**
 * The token lifecycle for every configured provider: hands out tokens, refreshes proactively and
 * on demand, one refresh per provider at a time in this process (single flight) and across
 * processes (the lock, then a re-read of the store so a rotated refresh token is never redeemed
 * twice), and reports every change. Knows nothing of VS Code.
 */
export class TokenService {
  private providers = new Map<string, ProviderConfig>();
  private entries = new Map<string, Entry>();
  private listeners = new Set<(e: TokenChange) => void>();
  private readonly storeWatch: { dispose(): void };
  private readonly sync: CrossWindowSync;
  private readonly scheduler: RefreshScheduler;
  private readonly follower: PeerFollower;
  private readonly retirer: MismatchRetirer;
  private readonly revoker: SessionRevoker;
  private disposed = false;
  private lanePolicy?: LanePolicy;

  constructor(private readonly deps: TokenServiceDeps) {
    this.sync = new CrossWindowSync(deps.store, deps.lock, deps.log, deps.clock, deps.peers, (id) => this.nameOf(id));
    const ledger = new RevocationLedger({ ...deps, now: () => deps.clock.now() });
    this.revoker = new SessionRevoker({ ...deps, ledger, hasPartner: (s) => this.hasGrantPartner(s) });
    this.retirer = new MismatchRetirer({ ...deps, revoker: this.revoker });
    this.follower = new PeerFollower(
      this.sync,
      deps.log,
      {
        provider: (id) => (this.disposed ? undefined : this.providers.get(id)),
        current: (id) => this.entries.get(id)?.session,
        adopt: (id, s) => this.adopt(id, s),
        abortRefresh: (id) => this.entries.get(id)?.abort?.abort(notSignedIn(this.nameOf(id))),
        nameOf: (id) => this.nameOf(id),
      },
      deps.peers,
    );
    this.scheduler = new RefreshScheduler(
      deps.clock,
      (id) => {
        const e = this.entries.get(id);
        return e && !e.inflight ? this.nextRefreshAt(e) : undefined;
      },
      (id) => void this.refresh(id, { force: false, seen: this.entry(id).session!, minMs: 0 }).catch(() => undefined),
    );
    this.storeWatch = deps.store.onDidChange((id) => void this.reload(id));
  }

  /** Set by the account registry (accounts.ts); see LanePolicy. */
  setLanePolicy(policy: LanePolicy | undefined): void {
    this.lanePolicy = policy;
  }

  /** A provider or account lane in words for the user: its label, with the account where the provider has several (never `acme#2`). */
  nameOf(id: string): string {
    return this.lanePolicy?.nameOf(id) ?? this.providers.get(id)?.label ?? providerOfLane(id);
  }

  onDidChange(listener: (e: TokenChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Replaces the configured providers; loads their sessions and arms their schedules. */
  setProviders(providers: ProviderConfig[]): void {
    this.providers = new Map(providers.map((p) => [p.id, p]));
    for (const id of this.entries.keys()) {
      if (!this.providers.has(id)) {
        this.scheduler.disarm(id);
        this.entries.delete(id);
      }
    }
    for (const [id, e] of this.entries) {
      // Settings changed under a loaded session: one made for the old settings is signed out (see adopt).
      if (e.session && !sessionMatches(e.session, this.providers.get(id)!)) this.adopt(id, e.session);
    }
    for (const id of this.providers.keys())
      void this.load(id).catch((e) => this.deps.log.error(`Loading "${id}": ${e}`));
  }

  /** The configured providers (their default lanes), without the lanes of further accounts (see accounts.ts). */
  getProviders(): ProviderConfig[] {
    return [...this.providers.values()].filter((p) => !p.laneOf);
  }

  state(id: string): ProviderState | undefined {
    const provider = this.providers.get(id);
    if (!provider) return undefined;
    const e = this.entry(id);
    return {
      provider,
      session: e.session,
      refreshing: !!e.inflight,
      lastRefresh: e.lastRefresh,
      nextRefreshAt: this.nextRefreshAt(e),
    };
  }

  /** The hot path: answers from memory while the token is valid long enough; waits only when it must. */
  async getAccessToken(id: string, opts: GetTokenOptions = {}): Promise<AccessToken> {
    const provider = this.provider(id);
    const e = this.entry(id);
    const s = e.session ?? (await this.load(id));
    if (!s) throw notSignedIn(this.nameOf(id));
    const now = this.deps.clock.now();
    const minMs = atMostHalfLifetime(
      (opts.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_S) * 1000,
      s.expiresAt - s.obtainedAt,
    );
    const rejected = opts.rejectedToken;
    const force = !!opts.forceRefresh || (rejected !== undefined && rejected === s.accessToken);
    if (rejected !== undefined && !force && isUsable(s, now, 0)) return this.toAccessToken(provider, s);
    if (!force && isUsable(s, now, minMs)) return this.toAccessToken(provider, s);
    if (
      opts.forceRefresh &&
      rejected === undefined &&
      s.refreshToken &&
      s.accessToken &&
      now - s.obtainedAt < FRESH_ENOUGH_MS
    )
      return this.toAccessToken(provider, s);
    if (!s.refreshToken) {
      // Also after the refresh token died (needsSignIn): the access token stays good until it expires.
      if (!force && s.accessToken && s.expiresAt > now) return this.toAccessToken(provider, s);
      throw needsSignIn(this.nameOf(id), s.needsSignIn?.reason ?? 'the server issued no refresh token');
    }
    const refreshing = this.refresh(id, { force, seen: s, minMs });
    if (!force && isUsable(s, now, 0)) return this.validWhileRefreshing(id, refreshing, s, opts.maxWaitMs);
    const fresh = await this.withWaitLimit(refreshing, provider, opts.maxWaitMs);
    return this.toAccessToken(provider, fresh);
  }

  /**
   * The token in hand is valid but shorter than the caller wished: wait a little for the refresh,
   * and if it is slow or failing hand out the valid token (the wish is a preference, never a
   * reason to refuse) while the refresh goes on in the background.
   */
  private async validWhileRefreshing(
    id: string,
    refreshing: Promise<SessionRecord>,
    held: SessionRecord,
    maxWaitMs?: number,
  ): Promise<AccessToken> {
    const provider = this.provider(id);
    const outcome = await settleWithin(
      refreshing,
      preferFreshWaitMs(held, this.deps.clock.now(), maxWaitMs),
      this.deps.clock,
    );
    if ('value' in outcome) return this.toAccessToken(provider, outcome.value);
    const current = this.entry(id).session;
    if (stillValid(current, held, this.deps.clock.now())) {
      this.deps.log.warn(
        `Refresh of ${this.nameOf(id)} ${'err' in outcome ? `is failing (${outcome.err.message})` : 'is slow'}; handing out the current token (valid until ${iso(current.expiresAt)}) and refreshing in the background.`,
      );
      return this.toAccessToken(provider, current);
    }
    if ('err' in outcome) throw outcome.err;
    return this.toAccessToken(provider, await this.withWaitLimit(refreshing, provider, maxWaitMs));
  }

  /**
   * Interactive sign-in; replaces (and revokes, unless it may share the new one's grant: see
   * SessionRevoker) an earlier session of the same provider. A session the lane policy refuses
   * (another lane of the provider holds its account) is never stored; it goes to the revoker like a
   * sign-out, which keeps it in the revocation ledger while that lane may share its grant.
   */
  async signIn(id: string, ui: SignInUi): Promise<SessionRecord> {
    const provider = this.provider(id);
    const config = this.lanePolicy?.signInConfig(id) ?? provider;
    const session = await signIn(config, ui, {
      fetch: this.deps.fetch,
      log: this.deps.log,
      now: () => this.deps.clock.now(),
      clientSecrets: this.deps.clientSecrets,
    });
    try {
      this.lanePolicy?.checkSignIn(id, session);
    } catch (err) {
      this.deps.log.warn((err as Error).message);
      await this.revoker.release([session], this.nameOf(id));
      throw err;
    }
    const previous = await this.deps.lock.withLock(id, async () => {
      const old = await this.deps.store.read(id);
      await this.sync.commit(session);
      return old.kind === 'ok' ? old.session : undefined;
    });
    this.adopt(id, session);
    this.deps.log.info(
      `Signed in to ${provider.label} as ${session.account.label}; token ${fingerprint(session.accessToken!)} valid until ${iso(session.expiresAt)}.`,
    );
    // Decided (and logged) before this returns; the revocation or the ledger entry follows in the background.
    if (previous?.refreshToken) void this.revoker.release([previous], provider.label);
    return session;
  }

  /**
   * Forgets the session and revokes its refresh token where the server allows it (forgotten even
   * if that fails), unless another session may share its grant (see SessionRevoker). Wins over a refresh in flight: that one is aborted and commits nothing, and the
   * store is deleted under the lock, so no refresh writes the session back.
   */
  signOut(id: string): Promise<void> {
    return this.signOutAll([id]);
  }

  /**
   * Signs out of several lanes together (an account and the scope-set sessions made for it): all
   * are forgotten first, then each is revoked unless a session that stays may rest on its grant.
   * Signed out one by one, each would keep the next as its grant partner and go unrevoked.
   */
  async signOutAll(ids: string[]): Promise<void> {
    const gone: { label: string; sessions: (SessionRecord | undefined)[] }[] = [];
    for (const id of ids) gone.push({ label: this.provider(id).label, sessions: await this.forget(id) });
    // The partners are those still held: every lane's stored session is read first (a local read),
    // so one not loaded yet is not mistaken for none.
    await Promise.all(
      [...this.providers.keys()].filter((o) => !ids.includes(o)).map((o) => this.load(o).catch(() => undefined)),
    );
    // Each is revoked, or kept in the revocation ledger while a session that stays may share its grant.
    for (const { label, sessions } of gone) await this.revoker.release(sessions, label);
  }

  /** Forgets the lane's session here, in the store and in the other windows; returns what was stored and held. */
  private async forget(id: string): Promise<(SessionRecord | undefined)[]> {
    const e = this.entry(id);
    e.abort?.abort(notSignedIn(this.nameOf(id)));
    const held = e.session;
    const stored = await this.deps.lock.withLock(id, async () => {
      const r = await this.deps.store.read(id);
      const old = r.kind === 'ok' ? r.session : undefined;
      await this.sync.signedOut(id, [...new Set([old?.sessionId, held?.sessionId].filter((x): x is string => !!x))]);
      return old;
    });
    this.adopt(id, undefined);
    this.deps.log.info(`Signed out of ${this.nameOf(id)}.`);
    return [stored, held];
  }

  /** Whether a session signed in here (any lane) may rest on the same grant as `s` (see mayShareGrant). */
  private hasGrantPartner(s: GrantHolder): boolean {
    for (const e of this.entries.values()) if (e.session && mayShareGrant(e.session, s)) return true;
    return false;
  }

  /** Refreshes now, whatever the schedule says (the "Refresh Now" command). */
  async refreshNow(id: string): Promise<SessionRecord> {
    this.provider(id); // throws for a provider that is not configured
    const s = this.entry(id).session ?? (await this.load(id));
    if (!s) throw notSignedIn(this.nameOf(id));
    if (!s.refreshToken)
      throw needsSignIn(this.nameOf(id), s.needsSignIn?.reason ?? 'the server issued no refresh token');
    return this.refresh(id, { force: true, seen: s, minMs: 0 });
  }

  /** How many unreadable entries are set aside (quarantined) in this window's SecretStorage. */
  async setAsideCount(): Promise<number> {
    return (await this.deps.store.quarantined()).length;
  }

  /** Deletes the set-aside entries, revoking their refresh tokens where they say how. */
  deleteSetAside(): Promise<PurgeResult> {
    return purgeQuarantined(this.deps.store, { fetch: this.deps.fetch, log: this.deps.log });
  }

  /** Re-evaluates every schedule against the wall clock (after sleep, on window focus). */
  checkSchedules(): void {
    for (const id of this.entries.keys()) this.schedule(id);
  }

  dispose(): void {
    this.disposed = true;
    this.storeWatch.dispose();
    this.scheduler.dispose();
    this.follower.dispose();
    this.listeners.clear();
  }

  // ---- refresh -------------------------------------------------------------------------------

  private refresh(id: string, req: { force: boolean; seen: SessionRecord; minMs: number }): Promise<SessionRecord> {
    const e = this.entry(id);
    if (e.inflight) return e.inflight;
    this.emit({ providerId: id, kind: 'refreshing' });
    const abort = new AbortController();
    e.abort = abort;
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const s = await this.deps.lock.withLock(id, (lockLost) =>
            this.refreshLocked(id, req, AbortSignal.any([lockLost, abort.signal])),
          );
          e.failures = 0;
          e.retryAt = undefined;
          return s;
        } catch (err) {
          // Signed out meanwhile: whatever failed, the answer is that.
          if (abort.signal.aborted) throw abort.signal.reason;
          const retry = isAuthError(err) && err.transient && attempt + 1 < FOREGROUND_ATTEMPTS && !this.disposed;
          if (!retry) throw err;
          const wait = backoffMs(attempt, this.random(), err.details.retryAfterSeconds);
          // A longer Retry-After is the schedule's to honour (onRefreshFailed); cutting it short would ignore the server.
          if (wait > FOREGROUND_MAX_WAIT_MS) throw err;
          e.lastRefresh = { at: this.deps.clock.now(), ok: false, message: err.message };
          this.deps.log.warn(
            `Refresh of ${this.nameOf(id)} failed (${err.message}); retrying in ${Math.round(wait)} ms.`,
          );
          await new Promise((r) => this.deps.clock.setTimeout(() => r(undefined), wait));
        }
      }
    };
    e.inflight = run()
      .then((s) => {
        e.lastRefresh = { at: this.deps.clock.now(), ok: true };
        // Nothing changed (another window's result was already ours): still end the "refreshing" state.
        if (e.lastKind === 'refreshing') this.emit({ providerId: id, kind: 'refreshed' });
        return s;
      })
      .catch((err: Error) => {
        this.onRefreshFailed(id, err);
        throw err;
      })
      .finally(() => {
        e.inflight = undefined;
        if (e.abort === abort) e.abort = undefined;
        this.schedule(id);
      });
    return e.inflight;
  }

  private async refreshLocked(
    id: string,
    req: { force: boolean; seen: SessionRecord; minMs: number },
    lockLost: AbortSignal,
  ): Promise<SessionRecord> {
    const provider = this.provider(id);
    lockLost.throwIfAborted();
    const current = await this.sync.readAfterLock(id, () => this.entries.get(id)?.session);
    if (!current || !sessionMatches(current, provider)) {
      this.adopt(id, current); // a session for other settings is signed out there
      throw notSignedIn(this.nameOf(id));
    }
    const now = this.deps.clock.now();
    const changedElsewhere = current.sessionId !== req.seen.sessionId || current.generation !== req.seen.generation;
    const due =
      (req.force && !changedElsewhere) ||
      isRefreshDue(current, this.deps.refreshSettings(), now) ||
      !isUsable(current, now, req.minMs);
    if (!due) {
      this.deps.log.debug(
        `${this.nameOf(id)} was refreshed by another window (generation ${current.generation}); using its tokens.`,
      );
      this.adopt(id, current);
      return current;
    }
    if (!current.refreshToken) {
      this.adopt(id, current);
      throw needsSignIn(this.nameOf(id), current.needsSignIn?.reason ?? 'the server issued no refresh token');
    }
    // One process presents this generation's refresh token; if another did meanwhile, start over from its result.
    const release = await this.sync.claimRedemption(id, current);
    if (!release) return this.refreshLocked(id, req, lockLost);
    try {
      const r = await redeem(current, current.refreshToken, lockLost, {
        ...this.deps,
        name: this.nameOf(id),
        now: () => this.deps.clock.now(),
        commit: (x) => this.sync.commit(x),
      });
      this.adopt(id, r.session);
      if (r.dead) throw needsSignIn(this.nameOf(id), r.session.needsSignIn!.reason);
      return r.session;
    } finally {
      await release();
    }
  }

  private onRefreshFailed(id: string, err: Error): void {
    const e = this.entry(id);
    e.lastRefresh = { at: this.deps.clock.now(), ok: false, message: err.message };
    if (err instanceof SessionError) {
      // Usually announced already when the session changed (see adopt); end "refreshing" otherwise.
      if (e.lastKind === 'refreshing')
        this.emit({
          providerId: id,
          kind: err.code === 'needs_sign_in' ? 'needsSignIn' : 'signedOut',
          message: err.message,
        });
      return;
    }
    e.failures++;
    const transient = isAuthError(err) && err.transient;
    const retryAfter = isAuthError(err) ? err.details.retryAfterSeconds : undefined;
    e.retryAt = this.deps.clock.now() + backoffMs(e.failures, this.random(), retryAfter, transient ? 60_000 : 300_000);
    this.deps.log.warn(`Refresh of ${this.nameOf(id)} failed: ${err.message} Next attempt at ${iso(e.retryAt)}.`);
    this.emit({ providerId: id, kind: 'refreshFailed', message: err.message });
  }

  // ---- schedule ------------------------------------------------------------------------------

  private nextRefreshAt(e: Entry): number | undefined {
    const s = e.session;
    if (!s?.refreshToken || s.needsSignIn) return undefined;
    return e.retryAt ?? refreshDueAt(s, this.deps.refreshSettings(), e.jitter);
  }

  private schedule(id: string): void {
    if (this.entries.has(id)) this.scheduler.arm(id);
  }

  // ---- state ---------------------------------------------------------------------------------

  private load(id: string): Promise<SessionRecord | undefined> {
    const e = this.entry(id);
    e.loaded ??= this.deps.store.read(id).then((r) => {
      if (r.kind === 'corrupt')
        this.emit({ providerId: id, kind: 'corrupt', message: corruptMessage(this.nameOf(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      if (e.session === undefined && s) this.adopt(id, s);
      void this.follower.catchUp(id);
      return e.session;
    });
    return e.loaded;
  }

  /** Another window (or this one) changed the entry: take the newest and tell listeners. */
  private async reload(id: string): Promise<void> {
    if (!this.providers.has(id) || this.disposed) return;
    try {
      const r = await this.deps.store.read(id);
      if (r.kind === 'corrupt')
        this.emit({ providerId: id, kind: 'corrupt', message: corruptMessage(this.nameOf(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      const mine = this.entry(id).session;
      // Ignore an older view than ours (our own write echoing back, or a lagging event).
      if (s && mine && s.sessionId === mine.sessionId && s.generation <= mine.generation) return;
      this.adopt(id, s);
    } catch (err) {
      this.deps.log.error(`Reading the session of ${this.nameOf(id)} failed: ${(err as Error).message}`);
    }
  }

  private adopt(id: string, s: SessionRecord | undefined): void {
    const e = this.entry(id);
    if (s && !sessionMatches(s, this.provider(id))) {
      void this.retirer.retire(s, this.provider(id));
      s = undefined;
    }
    const before = e.session;
    e.session = s;
    e.loaded = Promise.resolve(s);
    if (before?.sessionId !== s?.sessionId || before?.generation !== s?.generation) {
      e.jitter = this.random();
      e.retryAt = undefined;
      const kind: TokenChangeKind = !s
        ? 'signedOut'
        : s.needsSignIn
          ? 'needsSignIn'
          : before?.sessionId === s.sessionId
            ? 'refreshed'
            : 'signedIn';
      if (before || s)
        this.emit({ providerId: id, kind, message: s?.needsSignIn?.reason, account: (s ?? before)?.account });
    }
    this.schedule(id);
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      this.provider(id);
      e = { jitter: this.random(), failures: 0 };
      this.entries.set(id, e);
    }
    return e;
  }

  private provider(id: string): ProviderConfig {
    const p = this.providers.get(id);
    if (!p)
      throw new SessionError(
        'unknown_provider',
        `No provider "${providerOfLane(id)}" is configured in agentAuth.providers.`,
      );
    return p;
  }

  private toAccessToken(p: ProviderConfig, s: SessionRecord): AccessToken {
    return {
      providerId: p.id,
      accessToken: s.accessToken!,
      expiresAt: s.expiresAt,
      envVar: p.envVar,
      account: s.account,
    };
  }

  /** The caller's wait for a refresh, bounded; past the bound it is told why (the refresh goes on). */
  private withWaitLimit<T>(p: Promise<T>, provider: ProviderConfig, maxWaitMs?: number): Promise<T> {
    const ms = Math.min(maxWaitMs ?? Infinity, this.deps.waitTimeoutMs ?? 30_000);
    return withWaitLimit(p, ms, this.deps.clock, () => {
      const last = this.entries.get(provider.id)?.lastRefresh;
      const why = last && !last.ok ? ` The last attempt failed: ${last.message}` : '';
      return new SessionError(
        'wait_timeout',
        `Refreshing the ${this.nameOf(provider.id)} token took longer than ${ms / 1000} s; it goes on in the background.${why}`,
      );
    });
  }

  private emit(change: TokenChange): void {
    const entry = this.entries.get(change.providerId);
    if (entry) entry.lastKind = change.kind;
    const account = change.account ?? entry?.session?.account;
    const e = account ? { ...change, account: { id: account.id, label: account.label } } : change;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.deps.log.error(`A token change listener failed: ${(err as Error).message}`);
      }
    }
  }

  private random(): number {
    return (this.deps.random ?? Math.random)();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

const corruptMessage = (name: string, reason: string) =>
  `The stored ${name} session could not be read (${reason}). It was set aside; sign in again.`;
