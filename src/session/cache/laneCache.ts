import type { ProviderConfig } from '../config/config.js';
import { sessionMatches } from '../config/sessionMatches.js';
import { SessionError } from '../errors.js';
import { providerOfLane } from '../laneIds.js';
import {
  corruptSessionText,
  listenerFailedText,
  loadSessionFailedText,
  readSessionFailedText,
  unknownProviderText,
} from '../messages.js';
import type { RefreshHost, RefreshState } from '../refresh/refreshEngine.js';
import { refreshDueAt } from '../refresh/refreshPolicy.js';
import { RefreshScheduler } from '../refresh/refreshScheduler.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { ProviderState, TokenChange, TokenChangeKind, TokenServiceDeps } from '../tokenTypes.js';

/**
 * The per-lane cache: the configured lanes, the session each holds in memory (loaded from the
 * store once, reloaded when another window changes it), the one place a lane's session changes
 * (adopt), the change events it sends to listeners, and the arming of each lane's proactive
 * refresh. The refresh engine keeps its per-lane state in the same entry (RefreshState).
 */

/** One lane's entry: its session and events, and the refresh engine's state of it. */
export interface LaneEntry extends RefreshState {
  session?: SessionRecord;
  loaded?: Promise<SessionRecord | undefined>;
  jitter: number;
  lastKind?: TokenChangeKind;
}

export type LaneCacheDeps = Pick<TokenServiceDeps, 'store' | 'log' | 'clock' | 'refreshSettings'> & {
  random: () => number;
  /** The lane in words for the user (TokenService.nameOf). */
  nameOf: (id: string) => string;
  /** Signs out a session made for other settings of its provider (MismatchRetirer). */
  retire: (s: SessionRecord, provider: ProviderConfig) => void;
  /** After the first load of a lane: take a newer session from another window (PeerFollower.catchUp). */
  catchUp: (id: string) => void;
  /** Starts the lane's proactive refresh when its schedule says it is due (RefreshEngine.scheduled). */
  refreshDue: (id: string) => void;
};

export class LaneCache implements RefreshHost {
  private providers = new Map<string, ProviderConfig>();
  private readonly entries = new Map<string, LaneEntry>();
  private readonly listeners = new Set<(e: TokenChange) => void>();
  private readonly scheduler: RefreshScheduler;
  private readonly storeWatch: { dispose(): void };
  private isDisposed = false;

  constructor(private readonly deps: LaneCacheDeps) {
    this.scheduler = new RefreshScheduler(
      deps.clock,
      (id) => {
        const e = this.entries.get(id);
        return e && !e.inflight ? this.nextRefreshAt(e) : undefined;
      },
      (id) => deps.refreshDue(id),
    );
    this.storeWatch = deps.store.onDidChange((id) => void this.reload(id));
  }

  onDidChange(listener: (e: TokenChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Replaces the configured lanes; loads their sessions and arms their schedules. */
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
      void this.load(id).catch((e: unknown) => this.deps.log.error(loadSessionFailedText(this.deps.nameOf(id), e)));
  }

  /** Every configured lane. */
  configured(): ProviderConfig[] {
    return [...this.providers.values()];
  }

  /** The lane's config, or undefined when it is not configured (or the cache is disposed). */
  find(id: string): ProviderConfig | undefined {
    return this.disposed ? undefined : this.providers.get(id);
  }

  /** The lane's config; throws for a lane that is not configured. */
  provider(id: string): ProviderConfig {
    const p = this.providers.get(id);
    if (!p) throw new SessionError('unknown_provider', unknownProviderText(providerOfLane(id)));
    return p;
  }

  /** The lane in words for the user (TokenService.nameOf). */
  nameOf(id: string): string {
    return this.deps.nameOf(id);
  }

  /** The configured label of the lane, if it is configured. */
  label(id: string): string | undefined {
    return this.providers.get(id)?.label;
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

  /** The lane's entry if it has one (never makes one). */
  peek(id: string): LaneEntry | undefined {
    return this.entries.get(id);
  }

  /** The session held in memory, without making an entry. */
  current(id: string): SessionRecord | undefined {
    return this.entries.get(id)?.session;
  }

  /** Whether any lane holds a session that `test` accepts. */
  anySession(test: (s: SessionRecord) => boolean): boolean {
    for (const e of this.entries.values()) if (e.session && test(e.session)) return true;
    return false;
  }

  /** The lane's session, read from the store the first time. */
  load(id: string): Promise<SessionRecord | undefined> {
    const e = this.entry(id);
    e.loaded ??= this.deps.store.read(id).then((r) => {
      if (r.kind === 'corrupt')
        this.emit({ providerId: id, kind: 'corrupt', message: corruptSessionText(this.deps.nameOf(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      if (e.session === undefined && s) this.adopt(id, s);
      this.deps.catchUp(id);
      return e.session;
    });
    return e.loaded;
  }

  /** The lane now holds `s` (or nothing): a session for other settings is retired instead; listeners hear of a change. */
  adopt(id: string, s: SessionRecord | undefined): void {
    const e = this.entry(id);
    if (s && !sessionMatches(s, this.provider(id))) {
      this.deps.retire(s, this.provider(id));
      s = undefined;
    }
    const before = e.session;
    e.session = s;
    e.loaded = Promise.resolve(s);
    if (before?.sessionId !== s?.sessionId || before?.generation !== s?.generation) {
      e.jitter = this.deps.random();
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

  /** The lane's entry, made on first use; throws for a lane that is not configured. */
  entry(id: string): LaneEntry {
    let e = this.entries.get(id);
    if (!e) {
      this.provider(id);
      e = { jitter: this.deps.random(), failures: 0 };
      this.entries.set(id, e);
    }
    return e;
  }

  emit(change: TokenChange): void {
    const entry = this.entries.get(change.providerId);
    if (entry) entry.lastKind = change.kind;
    const account = change.account ?? entry?.session?.account;
    const e = account ? { ...change, account: { id: account.id, label: account.label } } : change;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.deps.log.error(listenerFailedText((err as Error).message));
      }
    }
  }

  /** (Re-)arms the lane's proactive refresh. */
  schedule(id: string): void {
    if (this.entries.has(id)) this.scheduler.arm(id);
  }

  /** Re-evaluates every schedule against the wall clock (after sleep, on window focus). */
  checkSchedules(): void {
    for (const id of this.entries.keys()) this.schedule(id);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  dispose(): void {
    this.isDisposed = true;
    this.storeWatch.dispose();
    this.scheduler.dispose();
    this.listeners.clear();
  }

  /** Another window (or this one) changed the entry: take the newest and tell listeners. */
  private async reload(id: string): Promise<void> {
    if (!this.providers.has(id) || this.disposed) return;
    try {
      const r = await this.deps.store.read(id);
      if (r.kind === 'corrupt')
        this.emit({ providerId: id, kind: 'corrupt', message: corruptSessionText(this.deps.nameOf(id), r.reason) });
      const s = r.kind === 'ok' ? r.session : undefined;
      const mine = this.entry(id).session;
      // Ignore an older view than ours (our own write echoing back, or a lagging event).
      if (s && mine && s.sessionId === mine.sessionId && s.generation <= mine.generation) return;
      this.adopt(id, s);
    } catch (err) {
      this.deps.log.error(readSessionFailedText(this.deps.nameOf(id), (err as Error).message));
    }
  }

  private nextRefreshAt(e: LaneEntry): number | undefined {
    const s = e.session;
    if (!s?.refreshToken || s.needsSignIn) return undefined;
    return e.retryAt ?? refreshDueAt(s, this.deps.refreshSettings(), e.jitter);
  }
}
