import { isAuthError } from '../../protocol/errors.js';
import type { ProviderConfig } from '../config/config.js';
import { sessionMatches } from '../config/sessionMatches.js';
import { needsSignIn, notSignedIn, SessionError } from '../errors.js';
import { noRefreshTokenReason, refreshedElsewhereText, refreshFailedText, refreshRetryText } from '../messages.js';
import { isUsable, type SessionRecord } from '../store/sessionRecord.js';
import type { CrossWindowSync } from '../sync/crossWindow.js';
import type { ProviderState, TokenChange, TokenChangeKind, TokenServiceDeps } from '../tokenTypes.js';
import { redeem } from './redeem.js';
import { backoffMs, isRefreshDue } from './refreshPolicy.js';

/**
 * The refresh engine: one refresh per lane at a time in this process (single flight) and across
 * processes (the lock, then a re-read of the store so a rotated refresh token is never redeemed
 * twice), a few quick retries while a caller waits, and the bookkeeping of failures from which the
 * schedule's backoff follows. It keeps no state of its own: each lane's lives in the cache's entry,
 * reached through RefreshHost.
 */

/** A forced refresh right after another one would only burn a refresh token: reuse the fresh result. */
export const FRESH_ENOUGH_MS = 2_000;

/** `s` was obtained moments ago (within FRESH_ENOUGH_MS), with a refresh token: a bare forced refresh reuses it. */
export const justRefreshed = (s: SessionRecord, now: number) =>
  !!s.refreshToken && !!s.accessToken && now - s.obtainedAt < FRESH_ENOUGH_MS;
/** Foreground attempts before a waiting caller gets the error (the schedule keeps trying). */
const FOREGROUND_ATTEMPTS = 3;
/** Longest pause between foreground attempts; a caller is waiting. */
const FOREGROUND_MAX_WAIT_MS = 4_000;

/** What the engine keeps per lane (in the cache's entry). */
export interface RefreshState {
  inflight?: Promise<SessionRecord>;
  /** Aborts the refresh in flight (sign-out wins over it). */
  abort?: AbortController;
  failures: number;
  retryAt?: number;
  lastRefresh?: ProviderState['lastRefresh'];
}

/** What the engine needs from the per-lane cache (LaneCache implements it). */
export interface RefreshHost {
  /** The lane's entry, made on first use; throws for a lane that is not configured. */
  entry(id: string): RefreshState & { readonly session?: SessionRecord; readonly lastKind?: TokenChangeKind };
  /** The session held in memory, without making an entry. */
  current(id: string): SessionRecord | undefined;
  /** The lane's config; throws for a lane that is not configured. */
  provider(id: string): ProviderConfig;
  /** The lane in words for the user (TokenService.nameOf). */
  nameOf(id: string): string;
  adopt(id: string, s: SessionRecord | undefined): void;
  emit(change: TokenChange): void;
  /** Re-arms the lane's proactive refresh. */
  schedule(id: string): void;
  readonly disposed: boolean;
}

/** What a refresh is asked for: `seen` is the session the caller looked at. */
export interface RefreshRequest {
  force: boolean;
  seen: SessionRecord;
  minMs: number;
}

export type RefreshEngineDeps = Pick<
  TokenServiceDeps,
  'lock' | 'fetch' | 'log' | 'clock' | 'refreshSettings' | 'clientSecrets'
> & { random: () => number; sync: CrossWindowSync };

export class RefreshEngine {
  constructor(
    private readonly deps: RefreshEngineDeps,
    private readonly host: RefreshHost,
  ) {}

  /** The proactive refresh the schedule starts; its failure is bookkept (onRefreshFailed), not thrown. */
  scheduled(id: string): void {
    void this.refresh(id, { force: false, seen: this.host.entry(id).session!, minMs: 0 }).catch(() => undefined);
  }

  /** Joins the lane's refresh in flight, or starts one (retrying transient failures while a caller waits). */
  refresh(id: string, req: RefreshRequest): Promise<SessionRecord> {
    const { host, deps } = this;
    const e = host.entry(id);
    if (e.inflight) return e.inflight;
    host.emit({ providerId: id, kind: 'refreshing' });
    const abort = new AbortController();
    e.abort = abort;
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const s = await deps.lock.withLock(id, (lockLost) =>
            this.refreshLocked(id, req, AbortSignal.any([lockLost, abort.signal])),
          );
          e.failures = 0;
          e.retryAt = undefined;
          return s;
        } catch (err) {
          // Signed out meanwhile: whatever failed, the answer is that.
          if (abort.signal.aborted) throw abort.signal.reason;
          const retry = isAuthError(err) && err.transient && attempt + 1 < FOREGROUND_ATTEMPTS && !host.disposed;
          if (!retry) throw err;
          const wait = backoffMs(attempt, deps.random(), err.details.retryAfterSeconds);
          // A longer Retry-After is the schedule's to honour (onRefreshFailed); cutting it short would ignore the server.
          if (wait > FOREGROUND_MAX_WAIT_MS) throw err;
          e.lastRefresh = { at: deps.clock.now(), ok: false, message: err.message };
          deps.log.warn(refreshRetryText(host.nameOf(id), err.message, wait));
          await new Promise((r) => deps.clock.setTimeout(() => r(undefined), wait));
        }
      }
    };
    e.inflight = run()
      .then((s) => {
        e.lastRefresh = { at: deps.clock.now(), ok: true };
        // Nothing changed (another window's result was already ours): still end the "refreshing" state.
        if (e.lastKind === 'refreshing') host.emit({ providerId: id, kind: 'refreshed' });
        return s;
      })
      .catch((err: Error) => {
        this.onRefreshFailed(id, err);
        throw err;
      })
      .finally(() => {
        e.inflight = undefined;
        if (e.abort === abort) e.abort = undefined;
        host.schedule(id);
      });
    return e.inflight;
  }

  private async refreshLocked(id: string, req: RefreshRequest, lockLost: AbortSignal): Promise<SessionRecord> {
    const { host, deps } = this;
    const provider = host.provider(id);
    lockLost.throwIfAborted();
    const current = await deps.sync.readAfterLock(id, () => host.current(id));
    if (!current || !sessionMatches(current, provider)) {
      host.adopt(id, current); // a session for other settings is signed out there
      throw notSignedIn(host.nameOf(id));
    }
    const now = deps.clock.now();
    const changedElsewhere = current.sessionId !== req.seen.sessionId || current.generation !== req.seen.generation;
    const due =
      (req.force && !changedElsewhere) ||
      isRefreshDue(current, deps.refreshSettings(), now) ||
      !isUsable(current, now, req.minMs);
    if (!due) {
      deps.log.debug(refreshedElsewhereText(host.nameOf(id), current.generation));
      host.adopt(id, current);
      return current;
    }
    if (!current.refreshToken) {
      host.adopt(id, current);
      throw needsSignIn(host.nameOf(id), current.needsSignIn?.reason ?? noRefreshTokenReason);
    }
    // One process presents this generation's refresh token; if another did meanwhile, start over from its result.
    const release = await deps.sync.claimRedemption(id, current);
    if (!release) return this.refreshLocked(id, req, lockLost);
    try {
      const r = await redeem(current, current.refreshToken, lockLost, {
        ...deps,
        name: host.nameOf(id),
        now: () => deps.clock.now(),
        commit: (x) => deps.sync.commit(x),
      });
      host.adopt(id, r.session);
      if (r.dead) throw needsSignIn(host.nameOf(id), r.session.needsSignIn!.reason);
      return r.session;
    } finally {
      await release();
    }
  }

  private onRefreshFailed(id: string, err: Error): void {
    const { host, deps } = this;
    const e = host.entry(id);
    e.lastRefresh = { at: deps.clock.now(), ok: false, message: err.message };
    if (err instanceof SessionError) {
      // Usually announced already when the session changed (see LaneCache.adopt); end "refreshing" otherwise.
      if (e.lastKind === 'refreshing')
        host.emit({
          providerId: id,
          kind: err.code === 'needs_sign_in' ? 'needsSignIn' : 'signedOut',
          message: err.message,
        });
      return;
    }
    e.failures++;
    const transient = isAuthError(err) && err.transient;
    const retryAfter = isAuthError(err) ? err.details.retryAfterSeconds : undefined;
    e.retryAt = deps.clock.now() + backoffMs(e.failures, deps.random(), retryAfter, transient ? 60_000 : 300_000);
    deps.log.warn(refreshFailedText(host.nameOf(id), err.message, e.retryAt));
    host.emit({ providerId: id, kind: 'refreshFailed', message: err.message });
  }
}
