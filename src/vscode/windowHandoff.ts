/**
 * The window handoff (src/peers) as the extension wires it: only in web windows, and started just
 * after activation rather than during it.
 *
 * A web window's SecretStorage lives in its browser tab and never shows another window's writes,
 * so sessions go from window to window over private sockets. Desktop windows share SecretStorage
 * and hear each other's writes (its change event; the refresh lock and the generation marker order
 * them), so they neither start the channel nor load its code.
 */
import vscode = require('vscode');
import { defaultRuntimeDir } from '../ipc/runtimeDir.js';
import type * as PeerModule from '../peers/index.js';
import type { Logger } from '../protocol/log.js';
import type { SessionPeers } from '../session/sync/peers.js';

export interface WindowHandoff extends SessionPeers {
  /** Stops answering the other windows (the socket goes away). */
  close(): Promise<void>;
}

/** The handoff in a web window; undefined in a desktop window. */
export function windowHandoff(lockDir: string, log: Logger): WindowHandoff | undefined {
  if (vscode.env.uiKind !== vscode.UIKind.Web) return undefined;
  // Nothing can reach this window before its socket listens, so the channel (its module, key file
  // and socket) can wait until activation is over; calls made meanwhile wait for it.
  const channel = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    // A runtime require: esbuild runs the module (and builds its schemas) only here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PeerChannel, peersDir } = require('../peers/index.js') as typeof PeerModule;
    return new PeerChannel(peersDir(defaultRuntimeDir(), lockDir), log);
  });
  channel.catch(() => undefined); // each call below reports the failure to its caller
  return {
    publish: async (s) => (await channel).publish(s),
    publishSignOut: async (id, sessionId) => (await channel).publishSignOut(id, sessionId),
    request: async (id, want) => (await channel).request(id, want),
    serve: (handler) => {
      const registration = channel.then((c) => c.serve(handler));
      registration.catch(() => undefined);
      return {
        dispose: () =>
          void registration.then(
            (r) => r.dispose(),
            () => undefined,
          ),
      };
    },
    close: async () => (await channel).close(),
  };
}
