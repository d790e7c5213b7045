import { AuthError } from '../protocol/errors.js';
import type { Logger } from '../protocol/log.js';
import type { Clock } from './ports.js';
import type { RefreshLock } from './refreshLock.js';
import type { SessionRecord } from './sessionRecord.js';
import type { SessionStore } from './sessionStore.js';

/** How long a window waits for SecretStorage to show another window's newer entry. */
export const PROPAGATION_WAIT_MS = 5_000;
const POLL_MS = 50;

/**
 * How windows (separate extension-host processes) agree on one session: the store holds the
 * tokens, the generation marker beside the lock says which sign-in and generation was written
 * last, and a redemption claim makes sure one process presents a refresh token. Everything here
 * runs under the refresh lock, except reading the marker. Knows nothing of VS Code.
 */
export class CrossWindowSync {
  constructor(
    private readonly store: SessionStore,
    private readonly lock: RefreshLock,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Store first, marker second: a reader that sees the marker knows the entry exists. */
  async commit(s: SessionRecord): Promise<void> {
    await this.store.write(s);
    await this.lock.writeMarker(s.providerId, { sessionId: s.sessionId, generation: s.generation });
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
      if (!waited) this.log.warn(`Another process is redeeming the refresh token of "${id}" (generation ${mine.generation}); waiting for its result.`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Reads the store under the lock, waiting while it is older than the marker says (another window's write in transit). */
  async readAfterLock(id: string): Promise<SessionRecord | undefined> {
    const marker = await this.lock.readMarker(id);
    const started = this.clock.now();
    for (;;) {
      const r = await this.store.read(id);
      const s = r.kind === 'ok' ? r.session : undefined;
      if (!s || !marker || s.sessionId !== marker.sessionId || s.generation >= marker.generation) return s;
      if (this.clock.now() - started > PROPAGATION_WAIT_MS) {
        throw new AuthError('timeout', 'Another window refreshed the token, but its result has not reached this window yet.');
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
