import vscode = require('vscode');
import { l10n } from 'vscode';
import { boundedFetch } from '../protocol/http.js';
import { fetchWithToken } from '../session/authorizedFetch.js';
import { systemClock } from '../session/ports.js';
import { FileRefreshLock } from '../session/refreshLock.js';
import { SessionStore } from '../session/sessionStore.js';
import { type AccessToken, type GetTokenOptions, type TokenChange, TokenService } from '../session/tokenService.js';
import { AgentAuthProvider } from './authProvider.js';
import { registerCommands } from './commands.js';
import type { Glue } from './glue.js';
import { registerLanguageServers } from './languageServers.js';
import { registerMcpServers } from './mcpServers.js';
import { offerSignIn, pickConfigured } from './providerPick.js';
import { Settings } from './settings.js';
import { runSignIn } from './signInUi.js';
import { registerStatusBar } from './statusBar.js';
import { registerStatusView } from './statusView.js';
import { registerTasks } from './tasks.js';
import { registerTerminals } from './terminals.js';
import { lazyTokenHelper } from './tokenHelper.js';

/** What other extensions get from `vscode.extensions.getExtension('agentauth.agent-auth').exports`. */
export interface AgentAuthApi {
  getAccessToken(providerId: string, options?: GetTokenOptions): Promise<AccessToken>;
  onDidChangeToken: vscode.Event<TokenChange>;
  /** fetch with the provider's bearer token, retried once with a fresh token on 401; `init` is re-invoked for the retry. */
  fetchWithToken(providerId: string, url: string, init?: () => RequestInit): Promise<Response>;
}

export function activate(context: vscode.ExtensionContext): AgentAuthApi {
  const log = vscode.window.createOutputChannel('Agent Auth', { log: true });
  const secrets = context.secrets;
  const store = new SessionStore(
    { get: (k) => Promise.resolve(secrets.get(k)), store: (k, v) => Promise.resolve(secrets.store(k, v)), delete: (k) => Promise.resolve(secrets.delete(k)), onDidChange: (l) => secrets.onDidChange((e) => l(e.key)) },
    log,
  );
  // The extension host's fetch honours http.proxy, PAC and system certificates.
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 15_000 });
  let settings: Settings | undefined;
  const service = new TokenService({
    store,
    lock: new FileRefreshLock(vscode.Uri.joinPath(context.globalStorageUri, 'locks').fsPath, { log }),
    fetch,
    log,
    clock: systemClock,
    refreshSettings: () => settings!.refreshSettings(),
  });
  settings = new Settings(log, (providers) => service.setProviders(providers));
  service.setProviders(settings.providers());

  const tokenChanged = new vscode.EventEmitter<TokenChange>();
  const serviceSub = service.onDidChange((e) => {
    tokenChanged.fire(e);
    if (e.kind === 'needsSignIn' || e.kind === 'corrupt') offerSignInAgain(e);
  });

  const signIn = async (id?: string) => {
    const p = await pickConfigured(g, id, l10n.t('Sign in to which provider?'));
    if (p) await runSignIn(service, p, log);
  };
  const offerSignInAgain = (e: TokenChange) => {
    const label = service.state(e.providerId)?.provider.label ?? e.providerId;
    offerSignIn(g, e.providerId, e.kind === 'corrupt' ? e.message! : l10n.t('Agent Auth: {0} needs you to sign in again ({1}).', label, e.message ?? ''));
  };

  const g: Glue = { context, service, log, signIn, tokenHelper: lazyTokenHelper(service, log, context.subscriptions) };
  const auth = new AgentAuthProvider(service, (p) => runSignIn(service, p, log));
  context.subscriptions.push(
    log,
    settings,
    tokenChanged,
    auth,
    { dispose: () => serviceSub.dispose() },
    { dispose: () => service.dispose() },
    vscode.authentication.registerAuthenticationProvider('agent-auth', 'Agent Auth', auth, { supportsMultipleAccounts: false }),
    registerCommands(g),
    registerStatusBar(g),
    registerStatusView(g),
    registerTerminals(g),
    registerTasks(g),
    registerLanguageServers(g),
    registerMcpServers(g),
    // Timers stall while the machine sleeps; focus is a good moment to look at the wall clock again.
    vscode.window.onDidChangeWindowState((w) => w.focused && service.checkSchedules()),
  );
  log.info(`Agent Auth ${context.extension.packageJSON.version} activated with ${service.getProviders().length} provider(s).`);

  return {
    getAccessToken: (id, opts) => service.getAccessToken(id, opts),
    onDidChangeToken: tokenChanged.event,
    fetchWithToken: (id, url, init) => fetchWithToken((i, o) => service.getAccessToken(i, o), globalThis.fetch, id, url, init),
  };
}

export function deactivate(): void {}
