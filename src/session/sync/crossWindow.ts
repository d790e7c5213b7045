import { AuthError } from '../../protocol/errors.js';
import type { Logger } from '../../protocol/log.js';
import type { SessionPeers } from './peers.js';
import type { Clock } from '../ports.js';
import { type GenerationMarker, isMarked, isUpToDate } from './generationMarker.js';
import type { RefreshLock } from './refreshLock.js';
import {
  handOverFailedText,
  propagationTimeoutText,
  tookFromWindowText,
  waitingForRedemptionText,
} from '../messages.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { SessionStore } from '../store/sessionStore.js';

/** How long a window waits for SecretStorage (or a peer) to show another window's newer entry. */
export const PROPAGATION_WAIT_MS = 5_000;
const POLL_MS = 50;
/** While waiting, the other windows are asked again this often. */
const ASK_PEERS_EVERY_MS = 500;

/**
 * How windows (separate extension-host processes) agree on one session: the store holds the
 * tokens, the generation marker beside the lock says which sign-in and generation was written
 * last, a redemption claim makes sure one process presents a refresh token, and the peers (the
 * other windows, over src/peers) hand over a session that this window's store never shows (web
 * windows, whose SecretStorage lives in the browser tab) or shows late (desktop). Everything here
 * runs under the refresh lock, except reading the marker. Knows nothing of VS Code.
 */
export class CrossWindowSync {
  constructor(
    private readonly store: SessionStore,
    private readonly lock: RefreshLock,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly peers?: SessionPeers,
    /** A provider or account lane in words for the log (TokenService.nameOf); default its quoted id. */
    private readonly name: (id: string) => string = (id) => `"${id}"`,
  ) {}

  /** Store first, marker second (a reader that sees the marker knows the entry exists), then the other windows. */
  async commit(s: SessionRecord): Promise<void> {
    await this.store.write(s);
    await this.lock.writeMarker(s.providerId, { sessionId: s.sessionId, generation: s.generation });
    void this.peers
      ?.publish(s)
      .catch((e: Error) => this.log.warn(handOverFailedText(this.name(s.providerId), e.message)));
  }

  /** Under the lock: the sign-in is over here; no marker, and the other windows are told. */
  async signedOut(id: string, sessionIds: string[]): Promise<void> {
    await this.store.delete(id);
    await this.lock.clearMarker(id);
    for (const sid of sessionIds) void this.peers?.publishSignOut(id, sid).catch(() => undefined);
  }

  /**
   * Another window says it signed out of `sessionId`: believed only while no marker names that
   * sign-in (the sign-out cleared it; a later sign-in names another), then this window's store
   * entry of it is deleted too. True when the notice holds.
   */
  async confirmSignOut(id: string, sessionId: string): Promise<boolean> {
    return this.lock.withLock(id, async () => {
      if ((await this.lock.readMarker(id))?.sessionId === sessionId) return false;
      const r = await this.store.read(id);
      if (r.kind === 'ok' && r.session.sessionId === sessionId) await this.store.delete(id);
      return true;
    });
  }

  readMarker(id: string): Promise<GenerationMarker | undefined> {
    return this.lock.readMarker(id);
  }

  /**
   * Only the holder of the claim may present this generation's refresh token (see
   * RefreshLock.claimRedemption). Another holder means the lock let two processes in: wait until
   * it lets go, or the marker shows its result (undefined: start over from that).
   */
  async claimRedemption(id: string, s: SessionRecord): Promise<(() => Promise<void>) | undefined> {
    const mine = { sessionId: s.sessionId, generation: s.generation };
    for (let waited = false; ; waited = true) {
      const release = await this.lock.claimRedemption(id, mine);
      // Checked after a successful claim too: claims are dropped once the marker has moved past them.
      const marker = await this.lock.readMarker(id);
      if (marker?.sessionId === mine.sessionId && marker.generation > mine.generation) {
        await release?.();
        return undefined;
      }
      if (release) return release;
      if (!waited) this.log.warn(waitingForRedemptionText(this.name(id), mine.generation));
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /**
   * Reads the store under the lock. When the marker names a newer generation of the same sign-in,
   * the newest is taken from this window's memory (a peer pushed it), from a peer that holds it,
   * or from the store once another window's write arrives, whichever comes first, and written to
   * this window's store. A marker naming another sign-in, or a missing entry, gets one question to
   * the peers and no wait (a sign-out leaves the marker behind).
   */
  async readAfterLock(id: string, inMemory: () => SessionRecord | undefined): Promise<SessionRecord | undefined> {
    const marker = await this.lock.readMarker(id);
    const started = this.clock.now();
    let askAt = started;
    for (;;) {
      const r = await this.store.read(id);
      const s = r.kind === 'ok' ? r.session : undefined;
      if (!marker || isUpToDate(s, marker)) return s;
      const sameSignIn = !!s && s.sessionId === marker.sessionId;
      let newest = [inMemory()].find((m) => m && isMarked(m, marker));
      if (!newest && this.peers && this.clock.now() >= askAt) {
        newest = await this.peers.request(id, marker);
        if (newest && !isMarked(newest, marker)) newest = undefined;
        askAt = this.clock.now() + ASK_PEERS_EVERY_MS;
      }
      if (newest) {
        this.log.info(tookFromWindowText(this.name(id), newest.generation, s?.generation));
        await this.store.write(newest);
        return newest;
      }
      if (!sameSignIn) return s;
      if (this.clock.now() - started > PROPAGATION_WAIT_MS) {
        throw new AuthError('timeout', propagationTimeoutText());
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Asks the peers for the marker's session when `s` (this window's view) is behind it; no lock needed to read. */
  async newerFromPeers(id: string, s: SessionRecord | undefined): Promise<SessionRecord | undefined> {
    if (!this.peers) return undefined;
    const marker = await this.lock.readMarker(id);
    if (!marker || isUpToDate(s, marker)) return undefined;
    const got = await this.peers.request(id, marker);
    return got && isMarked(got, marker) ? got : undefined;
  }

  /**
   * A session a peer handed over, already adopted in memory: written to this window's store too
   * (so a reload of this window starts from it), under the lock and only while the marker still
   * names it, so an older generation can never overwrite a newer one in a shared keychain.
   */
  async storeIfCurrent(s: SessionRecord): Promise<void> {
    await this.lock.withLock(s.providerId, async () => {
      if (!isMarked(s, await this.lock.readMarker(s.providerId))) return;
      const r = await this.store.read(s.providerId);
      if (r.kind === 'ok' && isUpToDate(r.session, s)) return;
      await this.store.write(s);
    });
  }
}
