import type * as vscode from 'vscode';
import { startTokenHelperServer } from '../helper/server.js';
import type { TokenService } from '../session/tokenService.js';
import type { HelperEnv } from './childEnv.js';
import { tokenSource } from './tokenSource.js';

/**
 * The one token helper server of this extension host, shared by terminals, tasks and agents and
 * started on first use. The returned function resolves to undefined when the server could not
 * start: callers then hand out tokens directly (the failure is logged once).
 */
export function lazyTokenHelper(
  service: TokenService,
  log: vscode.LogOutputChannel,
  subscriptions: { dispose(): unknown }[],
): () => Promise<HelperEnv | undefined> {
  let started: Promise<HelperEnv | undefined> | undefined;
  return () =>
    (started ??= (async () => {
      // The socket goes in the helper's default private runtime directory (short enough for a socket path).
      const server = await startTokenHelperServer({ source: tokenSource(service), log });
      // Returned, not voided: deactivate awaits the socket's close.
      subscriptions.push({ dispose: () => server.close() });
      return { env: server.env, binDir: server.binDir };
    })().catch((err: Error) => {
      log.error(`The token helper could not start: ${err.message}. Terminals get no agent-auth-token command.`);
      return undefined;
    }));
}
