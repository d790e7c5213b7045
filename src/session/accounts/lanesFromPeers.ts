import type { SessionRecord } from '../store/sessionRecord.js';
import type { SessionPeers } from '../sync/peers.js';

/**
 * The window handoff (src/peers), telling `registry` of lanes it has not heard of before a
 * session for one is taken (the registry exists after the TokenService that serves the peers).
 * Web windows never hear another window's SecretStorage writes: this is how an account added in
 * one reaches the other (see AccountRegistry.discover).
 */
export function lanesFromPeers(
  peers: SessionPeers,
  registry: () => { discover(s: SessionRecord): void } | undefined,
): SessionPeers {
  return {
    publish: (s) => peers.publish(s),
    publishSignOut: (id, sessionId) => peers.publishSignOut(id, sessionId),
    request: (id, want) => peers.request(id, want),
    serve: (h) =>
      peers.serve({
        lookup: (id) => h.lookup(id),
        signedOut: (id, sessionId) => h.signedOut(id, sessionId),
        receive: (s) => {
          registry()?.discover(s);
          h.receive(s);
        },
      }),
  };
}
