import type { GenerationMarker } from './generationMarker.js';
import type { SessionRecord } from '../store/sessionRecord.js';

/**
 * The other windows of this user that share the lock folder, reached without SecretStorage (see
 * src/peers/peerChannel.ts for the transport and why it exists). Best effort: a peer that is gone
 * or slow is skipped, never waited for long. Whatever arrives is validated by the transport
 * (schema) and by the lifecycle (marker, generation) before it is used.
 */
export interface SessionPeers {
  /** Hands a session this window just committed (marker written) to every other window. */
  publish(s: SessionRecord): Promise<void>;
  /** Tells every other window that this sign-in ended (store deleted, marker cleared). */
  publishSignOut(providerId: string, sessionId: string): Promise<void>;
  /** Asks the other windows for exactly this sign-in and generation; undefined when none holds it. */
  request(providerId: string, want: GenerationMarker): Promise<SessionRecord | undefined>;
  /** Answers the other windows: `lookup` gives what this window holds, `receive` takes what another one published. */
  serve(handler: PeerHandler): { dispose(): void };
}

export interface PeerHandler {
  lookup(providerId: string): SessionRecord | undefined;
  receive(s: SessionRecord): void;
  signedOut(providerId: string, sessionId: string): void;
}
