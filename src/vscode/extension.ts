import vscode = require('vscode');
import { l10n } from 'vscode';
import { defaultRuntimeDir } from '../helper/runtimeDir.js';
import { PeerChannel, peersDir } from '../peers/peerChannel.js';
import { boundedFetch } from '../protocol/http.js';
import { fetchWithToken } from '../session/authorizedFetch.js';
import { ClientSecrets } from '../session/clientContext.js';
import { systemClock } from '../session/ports.js';
import { FileRefreshLock } from '../session/refreshLock.js';
import { SessionStore } from '../session/sessionStore.js';
import { type AccessToken, type GetTokenOptions, type TokenChange, TokenService } from '../session/tokenService.js';
import { addProvider } from './addProvider.js';
import { AgentAuthProvider } from './authProvider.js';
import { registerClientSecretCommand } from './clientSecretUi.js';
import { registerCommands } from './commands.js';
import type { Glue } from './glue.js';
import { registerLanguageServers } from './languageServers.js';
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
  const secretStore = { get: (k: string) => Promise.resolve(secrets.get(k)), store: (k: string, v: string) => Promise.resolve(secrets.store(k, v)), delete: (k: string) => Promise.resolve(secrets.delete(k)), onDidChange: (l: (key: string) => void) => secrets.onDidChange((e) => l(e.key)) };
  const store = new SessionStore(secretStore, log);
  const clientSecrets = new ClientSecrets(secretStore);
  // The extension host's fetch honours http.proxy, PAC and system certificates.
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 15_000 });
  let settings: Settings | undefined;
  const lockDir = vscode.Uri.joinPath(context.globalStorageUri, 'locks').fsPath;
  // Hands sessions to the other windows directly: a web window's SecretStorage never shows another's writes.
  const peers = new PeerChannel(peersDir(defaultRuntimeDir(), lockDir), log);
  const service = new TokenService({
    store,
    lock: new FileRefreshLock(lockDir, { log }),
    peers,
    fetch,
    log,
    clock: systemClock,
    refreshSettings: () => settings!.refreshSettings(),
    clientSecrets,
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
    if (p) await runSignIn(service, p, log, clientSecrets);
  };
  const offerSignInAgain = (e: TokenChange) => {
    const label = service.state(e.providerId)?.provider.label ?? e.providerId;
    offerSignIn(g, e.providerId, e.kind === 'corrupt' ? e.message! : l10n.t('Agent Auth: {0} needs you to sign in again ({1}).', label, e.message ?? ''));
  };

  const g: Glue = { context, service, log, signIn, tokenHelper: lazyTokenHelper(service, log, context.subscriptions) };
  const auth = new AgentAuthProvider(service, (p) => runSignIn(service, p, log, clientSecrets));
  context.subscriptions.push(
    log,
    settings,
    tokenChanged,
    auth,
    { dispose: () => serviceSub.dispose() },
    { dispose: () => service.dispose() },
    { dispose: () => void peers.close() },
    vscode.authentication.registerAuthenticationProvider('agent-auth', 'Agent Auth', auth, { supportsMultipleAccounts: false }),
    registerCommands(g),
    registerClientSecretCommand(g, clientSecrets),
    vscode.commands.registerCommand('agentAuth.addProvider', () => addProvider({ fetch, log, signIn })),
    registerStatusBar(g),
    registerStatusView(g),
    registerTerminals(g),
    registerTasks(g),
    registerLanguageServers(g),
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
