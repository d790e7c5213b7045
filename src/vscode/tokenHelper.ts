import vscode = require('vscode');
import { l10n } from 'vscode';
import type { IssuedToken } from '../helper/protocol.js';
import {
  startTokenHelperServer,
  type TokenHelperServer,
  type TokenSource as HelperTokenSource,
} from '../helper/server.js';
import { type AccountResolver, SINGLE_ACCOUNTS } from '../session/accounts/accounts.js';
import type { TokenService } from '../session/tokenService.js';
import type { HelperEnv } from './childEnv.js';
import { tokenSource } from './tokenSource.js';
import { helperUntrusted } from './messages.js';

/** The setting that turns the token helper off: no variables, no socket. */
export const HELPER_ENABLED_SETTING = 'agentAuth.helper.enabled';

export interface TokenHelperSwitch {
  /** The helper's variables, starting the server on first use; undefined while it is off or when it could not start. */
  (): Promise<HelperEnv | undefined>;
  /** Fires when the helper may have turned on or off (workspace trust granted, the setting changed). */
  onDidChange: vscode.Event<void>;
}

/** `agentAuth.helper.enabled`: the one reading of the switch, for the terminal and the user-wide helper. */
export const helperEnabled = () =>
  vscode.workspace.getConfiguration().get<boolean>(HELPER_ENABLED_SETTING, true) !== false;

/**
 * The one token helper server of this extension host, shared by terminals, tasks and agents and
 * started on first use, and only while the workspace is trusted and `agentAuth.helper.enabled` is
 * on: a Restricted Mode window gets no helper until trust is granted. Turning the setting off
 * closes the server (its socket goes away). The returned function resolves to undefined while the
 * helper is off or when the server could not start: callers then hand out tokens directly (the
 * failure is logged once).
 */
export function lazyTokenHelper(
  service: TokenService,
  log: vscode.LogOutputChannel,
  subscriptions: { dispose(): unknown }[],
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): TokenHelperSwitch {
  let started: Promise<{ server: TokenHelperServer; env: HelperEnv } | undefined> | undefined;
  const changed = new vscode.EventEmitter<void>();
  const stop = () => {
    const s = started;
    started = undefined;
    void s?.then((h) => h?.server.close());
  };
  const get = (async () => {
    if (!vscode.workspace.isTrusted || !helperEnabled()) return undefined;
    started ??= (async () => {
      // The first caller is the terminals' setup during activation: the server (its folder checks,
      // the sweep of closed windows' sockets) starts right after activation instead of inside it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // The socket goes in the helper's default private runtime directory (short enough for a socket path).
      const server = await startTokenHelperServer({ source: helperTokenSource(service, accounts), log });
      // Returned, not voided: deactivate awaits the socket's close.
      subscriptions.push({ dispose: () => server.close() });
      return { server, env: { env: server.env, binDir: server.binDir } };
    })().catch((err: Error) => {
      log.error(`The token helper could not start: ${err.message}. Terminals get no agent-auth-token command.`);
      return undefined;
    });
    return (await started)?.env;
  }) as TokenHelperSwitch;
  get.onDidChange = changed.event;
  subscriptions.push(
    changed,
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('The workspace is trusted now: the token helper is available.');
      changed.fire();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(HELPER_ENABLED_SETTING)) return;
      if (!helperEnabled()) {
        log.info(`${HELPER_ENABLED_SETTING} is off: the token helper is closed.`);
        stop();
      }
      changed.fire();
    }),
    { dispose: stop },
  );
  return get;
}

/**
 * What the helper server hands out: tokenSource's token, with the hosts git may send it to. It
 * refuses in a window whose workspace is not trusted (Restricted Mode) and while the helper is
 * turned off, whatever the caller holds (an old terminal's variables, say).
 */
export function helperTokenSource(
  service: TokenService,
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): HelperTokenSource {
  const source = tokenSource(service, accounts);
  const allowed = () => {
    if (!vscode.workspace.isTrusted) {
      throw new Error(helperUntrusted());
    }
    if (!helperEnabled())
      throw new Error(l10n.t('Agent Auth: the token helper is turned off ({0}).', HELPER_ENABLED_SETTING));
  };
  return {
    async getAccessToken(providerId, opts): Promise<IssuedToken> {
      allowed();
      return source.getAccessToken(providerId, opts);
    },
    async getIdToken(providerId): Promise<IssuedToken> {
      allowed();
      return source.getIdToken(providerId);
    },
  };
}
