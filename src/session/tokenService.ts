import { fingerprint } from '../protocol/log.js';
import { LaneCache } from './cache/laneCache.js';
import type { ProviderConfig } from './config/config.js';
import { atMostHalfLifetime, DEFAULT_MIN_VALIDITY_S } from './config/validity.js';
import { needsSignIn, notSignedIn, SessionError } from './errors.js';
import { providerOfLane } from './laneIds.js';
import {
  handingOutCurrentText,
  noRefreshTokenReason,
  signedInText,
  signedOutText,
  waitTimeoutText,
} from './messages.js';
import { justRefreshed, RefreshEngine } from './refresh/refreshEngine.js';
import { preferFreshWaitMs, settleWithin, stillValid, withWaitLimit } from './refresh/tokenWait.js';
import { type GrantHolder, MismatchRetirer, mayShareGrant, SessionRevoker } from './revocation/revocation.js';
import { RevocationLedger } from './revocation/revocationLedger.js';
import { signIn, type SignInUi } from './signIn/signIn.js';
import { purgeQuarantined, type PurgeResult } from './store/quarantine.js';
import { isUsable, type SessionRecord } from './store/sessionRecord.js';
import { CrossWindowSync } from './sync/crossWindow.js';
import { PeerFollower } from './sync/peerFollower.js';
import type {
  AccessToken,
  GetTokenOptions,
  LanePolicy,
  ProviderState,
  TokenChange,
  TokenServiceDeps,
} from './tokenTypes.js';

/** The public types live in tokenTypes.ts (so cache/ and refresh/ need not import this file); importers take them from here. */
export type * from './tokenTypes.js';

/**
 * The token lifecycle for every configured provider: hands out tokens, refreshes proactively and
 * on demand, one refresh per provider at a time in this process (single flight) and across
 * processes (the lock, then a re-read of the store so a rotated refresh token is never redeemed
 * twice), and reports every change. Knows nothing of VS Code.
 *
 * A façade: it owns the hot path and how long a caller waits, and sign-in and sign-out with their
 * revocation; the per-lane cache (cache/) holds the sessions and sends the change events, the
 * refresh engine (refresh/) refreshes them.
 */
export class TokenService {
  private readonly cache: LaneCache;
  private readonly engine: RefreshEngine;
  private readonly sync: CrossWindowSync;
  private readonly follower: PeerFollower;
  private readonly revoker: SessionRevoker;
  private lanePolicy?: LanePolicy;

  constructor(private readonly deps: TokenServiceDeps) {
    const random = () => this.random();
    const nameOf = (id: string) => this.nameOf(id);
    this.sync = new CrossWindowSync(deps.store, deps.lock, deps.log, deps.clock, deps.peers, nameOf);
    const ledger = new RevocationLedger({ ...deps, now: () => deps.clock.now() });
    this.revoker = new SessionRevoker({ ...deps, ledger, hasPartner: (s) => this.hasGrantPartner(s) });
    const retirer = new MismatchRetirer({ ...deps, revoker: this.revoker });
    this.cache = new LaneCache({
      ...deps,
      random,
      nameOf,
      retire: (s, p) => void retirer.retire(s, p),
      catchUp: (id) => void this.follower.catchUp(id),
      refreshDue: (id) => this.engine.scheduled(id),
    });
    this.engine = new RefreshEngine({ ...deps, random, sync: this.sync }, this.cache);
    this.follower = new PeerFollower(
      this.sync,
      deps.log,
      {
        provider: (id) => this.cache.find(id),
        current: (id) => this.cache.current(id),
        adopt: (id, s) => this.cache.adopt(id, s),
        abortRefresh: (id) => this.cache.peek(id)?.abort?.abort(notSignedIn(nameOf(id))),
        nameOf,
      },
      deps.peers,
    );
  }

  /** Set by the account registry (accounts.ts); see LanePolicy. */
  setLanePolicy(policy: LanePolicy | undefined): void {
    this.lanePolicy = policy;
  }

  /** A provider or account lane in words for the user: its label, with the account where the provider has several (never `acme#2`). */
  nameOf(id: string): string {
    return this.lanePolicy?.nameOf(id) ?? this.cache.label(id) ?? providerOfLane(id);
  }

  onDidChange(listener: (e: TokenChange) => void): { dispose(): void } {
    return this.cache.onDidChange(listener);
  }

  /** Replaces the configured providers; loads their sessions and arms their schedules. */
  setProviders(providers: ProviderConfig[]): void {
    this.cache.setProviders(providers);
  }

  /** The configured providers (their default lanes), without the lanes of further accounts (see accounts.ts). */
  getProviders(): ProviderConfig[] {
    return this.cache.configured().filter((p) => !p.laneOf);
  }

  state(id: string): ProviderState | undefined {
    return this.cache.state(id);
  }

  /** The hot path: answers from memory while the token is valid long enough; waits only when it must. */
  async getAccessToken(id: string, opts: GetTokenOptions = {}): Promise<AccessToken> {
    const provider = this.cache.provider(id);
    const s = this.cache.entry(id).session ?? (await this.cache.load(id));
    if (!s) throw notSignedIn(this.nameOf(id));
    const now = this.deps.clock.now();
    const wishMs = (opts.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_S) * 1000;
    const minMs = atMostHalfLifetime(wishMs, s.expiresAt - s.obtainedAt);
    const rejected = opts.rejectedToken;
    const force = !!opts.forceRefresh || (rejected !== undefined && rejected === s.accessToken);
    if (rejected !== undefined && !force && isUsable(s, now, 0)) return toAccessToken(provider, s);
    if (!force && isUsable(s, now, minMs)) return toAccessToken(provider, s);
    if (opts.forceRefresh && rejected === undefined && justRefreshed(s, now)) return toAccessToken(provider, s);
    if (!s.refreshToken) {
      // Also after the refresh token died (needsSignIn): the access token stays good until it expires.
      if (!force && s.accessToken && s.expiresAt > now) return toAccessToken(provider, s);
      throw needsSignIn(this.nameOf(id), s.needsSignIn?.reason ?? noRefreshTokenReason);
    }
    const refreshing = this.engine.refresh(id, { force, seen: s, minMs });
    if (!force && isUsable(s, now, 0)) return this.validWhileRefreshing(id, refreshing, s, opts.maxWaitMs);
    const fresh = await this.withWaitLimit(refreshing, provider, opts.maxWaitMs);
    return toAccessToken(provider, fresh);
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
    const provider = this.cache.provider(id);
    const outcome = await settleWithin(
      refreshing,
      preferFreshWaitMs(held, this.deps.clock.now(), maxWaitMs),
      this.deps.clock,
    );
    if ('value' in outcome) return toAccessToken(provider, outcome.value);
    const current = this.cache.entry(id).session;
    if (stillValid(current, held, this.deps.clock.now())) {
      const failure = 'err' in outcome ? outcome.err.message : undefined;
      this.deps.log.warn(handingOutCurrentText(this.nameOf(id), failure, current.expiresAt));
      return toAccessToken(provider, current);
    }
    if ('err' in outcome) throw outcome.err;
    return toAccessToken(provider, await this.withWaitLimit(refreshing, provider, maxWaitMs));
  }

  /** The caller's wait for a refresh, bounded; past the bound it is told why (the refresh goes on). */
  private withWaitLimit<T>(p: Promise<T>, provider: ProviderConfig, maxWaitMs?: number): Promise<T> {
    const ms = Math.min(maxWaitMs ?? Infinity, this.deps.waitTimeoutMs ?? 30_000);
    return withWaitLimit(p, ms, this.deps.clock, () => {
      const last = this.cache.peek(provider.id)?.lastRefresh;
      const failure = last && !last.ok ? (last.message ?? '') : undefined;
      return new SessionError('wait_timeout', waitTimeoutText(this.nameOf(provider.id), ms / 1000, failure));
    });
  }

  /**
   * Interactive sign-in; replaces (and revokes, unless it may share the new one's grant: see
   * SessionRevoker) an earlier session of the same provider. A session the lane policy refuses
   * (another lane of the provider holds its account) is never stored; it goes to the revoker like a
   * sign-out, which keeps it in the revocation ledger while that lane may share its grant.
   */
  async signIn(id: string, ui: SignInUi): Promise<SessionRecord> {
    const provider = this.cache.provider(id);
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
    this.cache.adopt(id, session);
    this.deps.log.info(
      signedInText(provider.label, session.account.label, fingerprint(session.accessToken!), session.expiresAt),
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
    for (const id of ids) gone.push({ label: this.cache.provider(id).label, sessions: await this.forget(id) });
    // The partners are those still held: every lane's stored session is read first (a local read),
    // so one not loaded yet is not mistaken for none.
    await Promise.all(
      this.cache
        .configured()
        .filter((o) => !ids.includes(o.id))
        .map((o) => this.cache.load(o.id).catch(() => undefined)),
    );
    // Each is revoked, or kept in the revocation ledger while a session that stays may share its grant.
    for (const { label, sessions } of gone) await this.revoker.release(sessions, label);
  }

  /** Forgets the lane's session here, in the store and in the other windows; returns what was stored and held. */
  private async forget(id: string): Promise<(SessionRecord | undefined)[]> {
    const e = this.cache.entry(id);
    e.abort?.abort(notSignedIn(this.nameOf(id)));
    const held = e.session;
    const stored = await this.deps.lock.withLock(id, async () => {
      const r = await this.deps.store.read(id);
      const old = r.kind === 'ok' ? r.session : undefined;
      await this.sync.signedOut(id, [...new Set([old?.sessionId, held?.sessionId].filter((x): x is string => !!x))]);
      return old;
    });
    this.cache.adopt(id, undefined);
    this.deps.log.info(signedOutText(this.nameOf(id)));
    return [stored, held];
  }

  /** Whether a session signed in here (any lane) may rest on the same grant as `s` (see mayShareGrant). */
  private hasGrantPartner(s: GrantHolder): boolean {
    return this.cache.anySession((held) => mayShareGrant(held, s));
  }

  /** Refreshes now, whatever the schedule says (the "Refresh Now" command). */
  async refreshNow(id: string): Promise<SessionRecord> {
    this.cache.provider(id); // throws for a provider that is not configured
    const s = this.cache.entry(id).session ?? (await this.cache.load(id));
    if (!s) throw notSignedIn(this.nameOf(id));
    if (!s.refreshToken) throw needsSignIn(this.nameOf(id), s.needsSignIn?.reason ?? noRefreshTokenReason);
    return this.engine.refresh(id, { force: true, seen: s, minMs: 0 });
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
    this.cache.checkSchedules();
  }

  dispose(): void {
    this.cache.dispose();
    this.follower.dispose();
  }

  private random(): number {
    return (this.deps.random ?? Math.random)();
  }
}

const toAccessToken = (p: ProviderConfig, s: SessionRecord): AccessToken => ({
  providerId: p.id,
  accessToken: s.accessToken!,
  expiresAt: s.expiresAt,
  envVar: p.envVar,
  account: s.account,
});
