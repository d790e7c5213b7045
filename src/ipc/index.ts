/**
 * src/ipc: the generic local IPC that the token helper (src/helper) and the window handoff
 * (src/peers) share, free of VS Code and of the session layer:
 * - runtimeDir.ts: the private per-user runtime folder, socket names in it, sweeping sockets of
 *   closed windows, probing whether a socket is served;
 * - listen.ts: listening on a socket that only this user can open;
 * - nonce.ts: the random nonce/key that guards a socket and its constant-time comparison;
 * - lineJson.ts: one JSON line each way per connection, with a size cap and a timeout (the
 *   handoff's framing; the helper speaks HTTP instead, for curl and scripts).
 */
export {
  defaultRuntimeDir,
  ensurePrivateDir,
  newSocketPath,
  privateRuntimeDir,
  probeSocket,
  removeStaleSockets,
} from './runtimeDir.js';
export { listenPrivately } from './listen.js';
export { newNonce, nonceMatches } from './nonce.js';
export { exchangeLine, jsonLine, type LineLimits, readJsonLine, readLine, replyLine } from './lineJson.js';
