/**
 * src/peers: the window handoff's transport. Each window of one user listens on a private socket
 * and hands the sessions it commits to the others, so a window whose SecretStorage never shows
 * another window's write (web windows) or shows it late (desktop) still gets the newest session.
 * It implements SessionPeers of src/session/sync; the lifecycle decides what to trust. Built on
 * src/ipc (runtime folder, key, line-JSON framing). Other folders use PeerChannel and peersDir.
 */
export { PeerChannel, peersDir } from './peerChannel.js';
