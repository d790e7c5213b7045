/**
 * src/session/sync: how the windows of one user (separate extension-host processes) agree on one
 * session per provider or account. Three parts:
 * - the lock (refreshLock.ts): one window at a time refreshes, and a redemption claim makes sure
 *   one process presents a refresh token even when the lock's stale takeover lets two in;
 * - the generation marker (generationMarker.ts), beside the lock: written after the store, it
 *   names the sign-in and generation last written, so a window sees that its view is behind;
 * - the handoff: a window that commits a session pushes it to the others (SessionPeers in
 *   peers.ts, carried by src/peers), since SecretStorage reaches them late (desktop) or never
 *   (web windows). CrossWindowSync (crossWindow.ts) runs a commit, a sign-out and a read under the
 *   lock; PeerFollower (peerFollower.ts) answers the other windows and follows what they commit.
 * Whatever a window takes from another is used only when the marker names exactly it.
 * Knows nothing of VS Code.
 */
export { type FileLockOptions, FileRefreshLock, type RefreshLock } from './refreshLock.js';
export {
  type GenerationMarker,
  GenerationMarkerSchema,
  isMarked,
  isUpToDate,
  type MarkerStore,
} from './generationMarker.js';
export type { PeerHandler, SessionPeers } from './peers.js';
export { CrossWindowSync, PROPAGATION_WAIT_MS } from './crossWindow.js';
export { type FollowerHost, PeerFollower } from './peerFollower.js';
