import { isAuthError } from '../protocol/errors.js';
import type { FetchLike } from '../protocol/http.js';
import { fingerprint, type Logger } from '../protocol/log.js';
import { refreshTokens, revokeToken } from '../protocol/tokens.js';
import type { ProviderConfig, RefreshSettings } from './config.js';
import { needsSignIn, notSignedIn, SessionError } from './errors.js';
import type { Clock } from './ports.js';
import { CrossWindowSync } from './crossWindow.js';
import type { RefreshLock } from './refreshLock.js';
import { backoffMs, isRefreshDue, refreshDueAt } from './refreshPolicy.js';
import { RefreshScheduler } from './refreshScheduler.js';
import { isUsable, type SessionRecord } from './sessionRecord.js';
import type { SessionStore } from './sessionStore.js';
import { signIn, type SignInUi } from './signIn.js';

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
  /** The token must stay valid at least this long, or the caller waits for a refresh. Default 15. */
  minValiditySeconds?: number;
}

export type TokenChangeKind = 'signedIn' | 'refreshing' | 'refreshed' | 'refreshFailed' | 'needsSignIn' | 'signedOut' | 'corrupt';

export interface TokenChange {
  providerId: string;
  kind: TokenChangeKind;
  /** For refreshFailed, needsSignIn and corrupt: what happened, in words for the user. */
  message?: string;
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
  lock: RefreshLock;
  /** A bounded fetch (see protocol/http.ts): its deadline must stay well under the lock's stale time. */
  fetch: FetchLike;
  log: Logger;
  clock: Clock;
  refreshSettings: () => RefreshSettings;
  random?: () => number;
  /** Longest a caller waits for a refresh it needs. */
  waitTimeoutMs?: number;
}

interface Entry {
  session?: SessionRecord;
  loaded?: Promise<SessionRecord | undefined>;
  inflight?: Promise<SessionRecord>;
  jitter: number;
  failures: number;
  retryAt?: number;
  lastRefresh?: ProviderState['lastRefresh'];
  lastKind?: TokenChangeKind;
}

const DEFAULT_MIN_VALIDITY_S = 15;
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
  private disposed = false;

  constructor(private readonly deps: TokenServiceDeps) {
    this.sync = new CrossWindowSync(deps.store, deps.lock, deps.log, deps.clock);
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
    for (const id of this.providers.keys()) void this.load(id).catch((e) => this.deps.log.error(`Loading "${id}": ${e}`));
  }

  getProviders(): ProviderConfig[] {
    return [...this.providers.values()];
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
    if (!s) throw notSignedIn(provider.label);
    const now = this.deps.clock.now();
    // No more than half the token's lifetime: else a server issuing short-lived tokens gets a refresh per call.
    const minMs = Math.min((opts.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_S) * 1000, (s.expiresAt - s.obtainedAt) / 2);
    const rejected = opts.rejectedToken;
    const force = !!opts.forceRefresh || (rejected !== undefined && rejected === s.accessToken);
    if (rejected !== undefined && !force && isUsable(s, now, 0)) return this.toAccessToken(provider, s);
    if (!force && isUsable(s, now, minMs)) return this.toAccessToken(provider, s);
    if (opts.forceRefresh && rejected === undefined && s.refreshToken && s.accessToken && now - s.obtainedAt < FRESH_ENOUGH_MS) return this.toAccessToken(provider, s);
    if (!s.refreshToken) {
      // Also after the refresh token died (needsSignIn): the access token stays good until it expires.
      if (!force && s.accessToken && s.expiresAt > now) return this.toAccessToken(provider, s);
      throw needsSignIn(provider.label, s.needsSignIn?.reason ?? 'the server issued no refresh token');
    }
    const fresh = await this.withWaitLimit(this.refresh(id, { force, seen: s, minMs }), provider);
    return this.toAccessToken(provider, fresh);
  }

  /** Interactive sign-in; replaces (and revokes) an earlier session of the same provider. */
  async signIn(id: string, ui: SignInUi): Promise<SessionRecord> {
    const provider = this.provider(id);
    const session = await signIn(provider, ui, { fetch: this.deps.fetch, log: this.deps.log, now: () => this.deps.clock.now() });
    const previous = await this.deps.lock.withLock(id, async () => {
      const old = await this.deps.store.read(id);
      await this.sync.commit(session);
      return old.kind === 'ok' ? old.session : undefined;
    });
    this.adopt(id, session);
    this.deps.log.info(`Signed in to ${provider.label} as ${session.account.label}; token ${fingerprint(session.accessToken!)} valid until ${iso(session.expiresAt)}.`);
    if (previous?.refreshToken) void this.revoke(previous, provider).catch(() => undefined);
    return session;
  }

  /** Revokes the refresh token where the server allows it, then forgets the session even if that failed. */
  async signOut(id: string): Promise<void> {
    const provider = this.provider(id);
    const current = await this.deps.store.read(id);
    if (current.kind === 'ok') {
      try {
        await this.revoke(current.session, provider);
      } catch (err) {
        this.deps.log.warn(`Revocation at ${provider.label} failed (${(err as Error).message}); forgetting the session anyway.`);
      }
    }
    await this.deps.store.delete(id);
    this.adopt(id, undefined);
    this.deps.log.info(`Signed out of ${provider.label}.`);
  }

  /** Refreshes now, whatever the schedule says (the "Refresh Now" command). */
  async refreshNow(id: string): Promise<SessionRecord> {
    const provider = this.provider(id);
    const s = this.entry(id).session ?? (await this.load(id));
    if (!s) throw notSignedIn(provider.label);
    if (!s.refreshToken) throw needsSignIn(provider.label, s.needsSignIn?.reason ?? 'the server issued no refresh token');
    return this.refresh(id, { force: true, seen: s, minMs: 0 });
  }

  /** Re-evaluates every schedule against the wall clock (after sleep, on window focus). */
  checkSchedules(): void {
    for (const id of this.entries.keys()) this.schedule(id);
  }

  dispose(): void {
    this.disposed = true;
    this.storeWatch.dispose();
    this.scheduler.dispose();
    this.listeners.clear();
  }

  // ---- refresh -------------------------------------------------------------------------------

  private refresh(id: string, req: { force: boolean; seen: SessionRecord; minMs: number }): Promise<SessionRecord> {
    const e = this.entry(id);
    if (e.inflight) return e.inflight;
    this.emit({ providerId: id, kind: 'refreshing' });
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const s = await this.deps.lock.withLock(id, (signal) => this.refreshLocked(id, req, signal));
          e.failures = 0;
          e.retryAt = undefined;
          return s;
        } catch (err) {
          const retry = isAuthError(err) && err.transient && attempt + 1 < FOREGROUND_ATTEMPTS && !this.disposed;
          if (!retry) throw err;
          const wait = backoffMs(attempt, this.random(), err.details.retryAfterSeconds);
          // A longer Retry-After is the schedule's to honour (onRefreshFailed); cutting it short would ignore the server.
          if (wait > FOREGROUND_MAX_WAIT_MS) throw err;
          this.deps.log.warn(`Refresh of "${id}" failed (${err.message}); retrying in ${Math.round(wait)} ms.`);
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
    const current = await this.sync.readAfterLock(id);
    if (!current) {
      this.adopt(id, undefined);
      throw notSignedIn(provider.label);
    }
    const now = this.deps.clock.now();
    const changedElsewhere = current.sessionId !== req.seen.sessionId || current.generation !== req.seen.generation;
    const due =
      (req.force && !changedElsewhere) ||
      isRefreshDue(current, this.deps.refreshSettings(), now) ||
      !isUsable(current, now, req.minMs);
    if (!due) {
      this.deps.log.debug(`"${id}" was refreshed by another window (generation ${current.generation}); using its tokens.`);
      this.adopt(id, current);
      return current;
    }
    if (!current.refreshToken) {
      this.adopt(id, current);
      throw needsSignIn(provider.label, current.needsSignIn?.reason ?? 'the server issued no refresh token');
    }
    // One process presents this generation's refresh token; if another did meanwhile, start over from its result.
    const release = await this.sync.claimRedemption(id, current);
    if (!release) return this.refreshLocked(id, req, lockLost);
    try {
      return await this.redeem(id, current, current.refreshToken, lockLost);
    } finally {
      await release();
    }
  }

  /** Presents the refresh token once and commits the outcome: new tokens, or a dead session on invalid_grant. */
  private async redeem(id: string, current: SessionRecord, refreshToken: string, lockLost: AbortSignal): Promise<SessionRecord> {
    const provider = this.provider(id);
    this.deps.log.info(`Refreshing "${id}" (refresh token ${fingerprint(refreshToken)}, generation ${current.generation}).`);
    let next: SessionRecord;
    try {
      const t = await refreshTokens(
        { endpoints: current.endpoints, clientId: current.clientId, fetch: this.deps.fetch, signal: lockLost },
        refreshToken,
        () => this.deps.clock.now(),
      );
      next = {
        ...current,
        accessToken: t.accessToken,
        // RFC 6749 §6: a server that does not rotate keeps the old refresh token valid.
        refreshToken: t.refreshToken ?? current.refreshToken,
        idToken: t.idToken ?? current.idToken,
        grantedScope: t.scope ?? current.grantedScope,
        expiresAt: t.expiresAt,
        obtainedAt: this.deps.clock.now(),
        generation: current.generation + 1,
        needsSignIn: undefined,
      };
    } catch (err) {
      if (isAuthError(err, 'oauth_error') && err.details.oauthError === 'invalid_grant') {
        // The refresh token is dead; keep the access token while it lasts, remember who must sign in.
        const dead: SessionRecord = {
          ...current,
          refreshToken: undefined,
          generation: current.generation + 1,
          needsSignIn: { reason: 'the refresh token was revoked or has expired', at: this.deps.clock.now() },
        };
        await this.sync.commit(dead);
        this.adopt(id, dead);
        throw needsSignIn(provider.label, dead.needsSignIn!.reason);
      }
      throw err;
    }
    await this.sync.commit(next);
    this.deps.log.info(`Refreshed "${id}": token ${fingerprint(next.accessToken!)} valid until ${iso(next.expiresAt)}${next.refreshToken !== current.refreshToken ? ', refresh token rotated' : ''}.`);
    this.adopt(id, next);
    return next;
  }

  private onRefreshFailed(id: string, err: Error): void {
    const e = this.entry(id);
    e.lastRefresh = { at: this.deps.clock.now(), ok: false, message: err.message };
    if (err instanceof SessionError) {
      // Usually announced already when the session changed (see adopt); end "refreshing" otherwise.
      if (e.lastKind === 'refreshing') this.emit({ providerId: id, kind: err.code === 'needs_sign_in' ? 'needsSignIn' : 'signedOut', message: err.message });
      return;
    }
    e.failures++;
    const transient = isAuthError(err) && err.transient;
    const retryAfter = isAuthError(err) ? err.details.retryAfterSeconds : undefined;
    e.retryAt = this.deps.clock.now() + backoffMs(e.failures, this.random(), retryAfter, transient ? 60_000 : 300_000);
    this.deps.log.warn(`Refresh of "${id}" failed: ${err.message} Next attempt at ${iso(e.retryAt)}.`);
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
      if (r.kind === 'corrupt') this.emit({ providerId: id, kind: 'corrupt', message: corruptMessage(this.provider(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      if (e.session === undefined && s) this.adopt(id, s);
      return e.session;
    });
    return e.loaded;
  }

  /** Another window (or this one) changed the entry: take the newest and tell listeners. */
  private async reload(id: string): Promise<void> {
    if (!this.providers.has(id) || this.disposed) return;
    try {
      const r = await this.deps.store.read(id);
      if (r.kind === 'corrupt') this.emit({ providerId: id, kind: 'corrupt', message: corruptMessage(this.provider(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      const mine = this.entry(id).session;
      // Ignore an older view than ours (our own write echoing back, or a lagging event).
      if (s && mine && s.sessionId === mine.sessionId && s.generation <= mine.generation) return;
      this.adopt(id, s);
    } catch (err) {
      this.deps.log.error(`Reading the session of "${id}" failed: ${(err as Error).message}`);
    }
  }

  private adopt(id: string, s: SessionRecord | undefined): void {
    const e = this.entry(id);
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
      if (before || s) this.emit({ providerId: id, kind, message: s?.needsSignIn?.reason });
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
    if (!p) throw new SessionError('unknown_provider', `No provider "${id}" is configured in agentAuth.providers.`);
    return p;
  }

  private toAccessToken(p: ProviderConfig, s: SessionRecord): AccessToken {
    return { providerId: p.id, accessToken: s.accessToken!, expiresAt: s.expiresAt, envVar: p.envVar, account: s.account };
  }

  private async revoke(s: SessionRecord, p: ProviderConfig): Promise<void> {
    const token = s.refreshToken ?? s.accessToken;
    if (!token) return;
    const ctx = { endpoints: s.endpoints, clientId: s.clientId, fetch: this.deps.fetch };
    const done = await revokeToken(ctx, token, s.refreshToken ? 'refresh_token' : 'access_token');
    this.deps.log.info(done ? `Revoked the ${s.refreshToken ? 'refresh' : 'access'} token at ${p.label}.` : `${p.label} has no revocation endpoint; nothing to revoke.`);
  }

  private withWaitLimit<T>(p: Promise<T>, provider: ProviderConfig): Promise<T> {
    const ms = this.deps.waitTimeoutMs ?? 30_000;
    let timer: unknown;
    const limit = new Promise<never>((_, reject) => {
      timer = this.deps.clock.setTimeout(
        () => reject(new SessionError('wait_timeout', `Refreshing the ${provider.label} token took longer than ${ms / 1000} s.`)),
        ms,
      );
    });
    return Promise.race([p, limit]).finally(() => this.deps.clock.clearTimeout(timer));
  }

  private emit(e: TokenChange): void {
    const entry = this.entries.get(e.providerId);
    if (entry) entry.lastKind = e.kind;
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

const corruptMessage = (p: ProviderConfig, reason: string) =>
  `The stored ${p.label} session could not be read (${reason}). It was set aside; sign in again.`;
