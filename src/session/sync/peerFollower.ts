import type { Logger } from '../../protocol/log.js';
import type { ProviderConfig } from '../config/config.js';
import type { CrossWindowSync } from './crossWindow.js';
import { isMarked, isUpToDate } from './generationMarker.js';
import type { SessionPeers } from './peers.js';
import { sessionMatches } from '../config/sessionMatches.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import {
  askPeersFailedText,
  followedSignOutText,
  followSignOutFailedText,
  handedOverByWindowText,
  type IgnoredHandover,
  ignoredHandoverText,
  takeFromWindowFailedText,
} from '../messages.js';

/** What the follower needs from the token service. */
export interface FollowerHost {
  /** The provider while it is configured (and the service alive). */
  provider(id: string): ProviderConfig | undefined;
  current(id: string): SessionRecord | undefined;
  adopt(id: string, s: SessionRecord | undefined): void;
  /** Aborts a refresh in flight (the sign-in it works on is over). */
  abortRefresh(id: string): void;
  /** The provider or account lane in words for the log (never `acme#2`). */
  nameOf(id: string): string;
}

/**
 * This window's side of the window handoff (src/peers): answers other windows with what it holds,
 * takes the sessions they commit and follows their sign-outs, each only when the generation marker
 * agrees (never an older generation, never a sign-in the marker does not name).
 */
export class PeerFollower {
  private readonly registration: { dispose(): void } | undefined;

  constructor(
    private readonly sync: CrossWindowSync,
    private readonly log: Logger,
    private readonly host: FollowerHost,
    peers: SessionPeers | undefined,
  ) {
    this.registration = peers?.serve({
      lookup: (id) => (host.provider(id) ? host.current(id) : undefined),
      receive: (s) => void this.receive(s),
      signedOut: (id, sessionId) => void this.signedOut(id, sessionId),
    });
  }

  /** At load: when the marker is ahead of what this window's store showed, take the newest from a peer. */
  async catchUp(id: string): Promise<void> {
    try {
      const newer = await this.sync.newerFromPeers(id, this.host.current(id));
      if (newer) await this.receive(newer);
    } catch (err) {
      this.log.debug(askPeersFailedText(this.host.nameOf(id), (err as Error).message));
    }
  }

  dispose(): void {
    this.registration?.dispose();
  }

  /** A session another window committed (schema-checked by the transport); written to this window's store as well. */
  private async receive(s: SessionRecord): Promise<void> {
    const id = s.providerId;
    const provider = this.host.provider(id);
    if (!provider) return;
    try {
      const marker = await this.sync.readMarker(id);
      const mine = this.host.current(id);
      const ignore: IgnoredHandover | undefined = !isMarked(s, marker)
        ? 'otherGeneration'
        : isUpToDate(mine, s)
          ? 'holdsNewer'
          : !sessionMatches(s, provider)
            ? 'otherSettings'
            : undefined;
      if (ignore) {
        this.log.debug(ignoredHandoverText(s.generation, this.host.nameOf(id), ignore));
        return;
      }
      this.log.debug(handedOverByWindowText(s.generation, this.host.nameOf(id)));
      this.host.adopt(id, s);
      await this.sync.storeIfCurrent(s);
    } catch (err) {
      this.log.warn(takeFromWindowFailedText(this.host.nameOf(id), (err as Error).message));
    }
  }

  /** Another window signed out of `sessionId`: so does this one, if the marker agrees. */
  private async signedOut(id: string, sessionId: string): Promise<void> {
    const provider = this.host.provider(id);
    if (!provider || this.host.current(id)?.sessionId !== sessionId) return;
    try {
      if (!(await this.sync.confirmSignOut(id, sessionId))) return;
      if (this.host.current(id)?.sessionId !== sessionId) return;
      this.host.abortRefresh(id);
      this.log.info(followedSignOutText(provider.label));
      this.host.adopt(id, undefined);
    } catch (err) {
      this.log.warn(followSignOutFailedText(this.host.nameOf(id), (err as Error).message));
    }
  }
}
