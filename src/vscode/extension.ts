import vscode = require('vscode');
import { l10n } from 'vscode';
import { boundedFetch } from '../protocol/http.js';
import { AccountRegistry, lanesFromPeers } from '../session/accounts/accounts.js';
import { ClientSecrets } from '../session/signIn/clientContext.js';
import type { ProviderConfig } from '../session/config/config.js';
import { systemClock } from '../session/ports.js';
import { FileRefreshLock } from '../session/sync/refreshLock.js';
import { type TokenChange, TokenService } from '../session/tokenService.js';
import type { AgentAuthApi } from '../../api.js';
import { addProvider } from './addProvider.js';
import { createApi } from './api.js';
import { AgentAuthProvider, AUTH_PROVIDER_ID, requestSignIns } from './authProvider.js';
import { registerClientSecretCommand } from './clientSecretUi.js';
import { registerCommands } from './commands.js';
import { registerGitCredentials } from './gitCredentials.js';
import { registerInstallHelper } from './installHelper.js';
import type { Glue } from './glue.js';
import { registerLanguageServers } from './languageServers.js';
import { registerMcpServers } from './mcpServers.js';
import { offerSignIn, pickConfigured } from './providerPick.js';
import { Settings } from './settings.js';
import { SettingsProblems } from './settingsProblems.js';
import { runSignIn } from './signInUi.js';
import { registerStatusBar } from './statusBar.js';
import { registerStatusView } from './statusView.js';
import { registerTasks } from './tasks.js';
import { registerTerminals } from './terminals.js';
import { LoadTrackingStore } from './loadTracking.js';
import { lazyTokenHelper } from './tokenHelper.js';
import { registerUserWideHelper } from './userWideHelper.js';
import { windowHandoff } from './windowHandoff.js';

export type { AgentAuthApi } from '../../api.js';

export function activate(context: vscode.ExtensionContext): AgentAuthApi {
  const log = vscode.window.createOutputChannel('Agent Auth', { log: true });
  const secrets = context.secrets;
  const secretStore = {
    get: (k: string) => Promise.resolve(secrets.get(k)),
    store: (k: string, v: string) => Promise.resolve(secrets.store(k, v)),
    delete: (k: string) => Promise.resolve(secrets.delete(k)),
    onDidChange: (l: (key: string) => void) => secrets.onDidChange((e) => l(e.key)),
  };
  const store = new LoadTrackingStore(secretStore, log);
  const clientSecrets = new ClientSecrets(secretStore);
  // The extension host's fetch honours http.proxy, PAC and system certificates.
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 15_000 });
  const lockDir = vscode.Uri.joinPath(context.globalStorageUri, 'locks').fsPath;
  // Web windows only (see windowHandoff.ts): desktop windows share SecretStorage.
  const peers = windowHandoff(lockDir, log);
  const lock = new FileRefreshLock(lockDir, { log });
  let accounts: AccountRegistry | undefined = undefined;
  const service = new TokenService({
    store,
    secrets: secretStore,
    lock,
    // A web window learns of another window's new account from the session it hands over.
    peers: peers && lanesFromPeers(peers, () => accounts),
    fetch,
    log,
    clock: systemClock,
    refreshSettings: () => settings.refreshSettings(),
    clientSecrets,
  });
  const problems = new SettingsProblems(log);
  // The registry hands the service each provider's lanes (one per account, see accounts.ts).
  accounts = new AccountRegistry({ secrets: secretStore, service, lock, log });
  const setProviders = (providers: ProviderConfig[]) =>
    void accounts.setProviders(providers).catch((e) => log.error(`Reading the account lists: ${(e as Error).message}`));
  const settings = new Settings(problems, setProviders);
  setProviders(settings.providers());

  const tokenChanged = new vscode.EventEmitter<TokenChange>();
  const serviceSub = service.onDidChange((e) => {
    tokenChanged.fire(e);
    if (e.kind === 'needsSignIn' || e.kind === 'corrupt') offerSignInAgain(e);
  });

  const signInTo = (p: ProviderConfig) => runSignIn(service, p, log, clientSecrets, () => void signInTo(p));
  const signIn = async (id?: string) => {
    const p = await pickConfigured(g, id, l10n.t('Sign in to which provider?'));
    if (p) await signInTo(p);
  };
  const signInAnother = async (id?: string) => {
    const p = await pickConfigured(g, id, l10n.t('Sign in to which provider?'));
    if (p) await accounts.addAccount(p.laneOf ?? p.id, (lane) => signInTo(lane));
  };
  const offerSignInAgain = (e: TokenChange) => {
    // The provider's label, with the account where it has several (never a lane id such as acme#2).
    const label = service.nameOf(e.providerId);
    offerSignIn(
      g,
      e.providerId,
      e.kind === 'corrupt'
        ? e.message!
        : l10n.t('Agent Auth: {0} needs you to sign in again ({1}).', label, e.message ?? ''),
    );
  };

  const g: Glue = {
    context,
    service,
    accounts,
    log,
    signIn,
    signInAnother,
    tokenHelper: lazyTokenHelper(service, log, context.subscriptions, accounts),
  };
  const auth = new AgentAuthProvider(
    service,
    signInTo,
    (id) => accounts.ready().then(() => store.loaded(id)),
    accounts,
  );
  context.subscriptions.push(
    log,
    settings,
    tokenChanged,
    auth,
    { dispose: () => serviceSub.dispose() },
    { dispose: () => service.dispose() },
    { dispose: () => accounts.dispose() },
    { dispose: () => peers?.close() },
    vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, 'Agent Auth', auth, {
      supportsMultipleAccounts: true,
    }),
    registerCommands(g),
    registerClientSecretCommand(g, clientSecrets),
    vscode.commands.registerCommand('agentAuth.addProvider', () => addProvider({ fetch, log, signIn })),
    registerStatusBar(g),
    registerStatusView(g),
    registerTerminals(g),
    registerTasks(g),
    registerLanguageServers(g, problems),
    problems,
    registerGitCredentials(g),
    registerUserWideHelper(g),
    registerInstallHelper(g),
    registerMcpServers(g, problems),
    // Timers stall while the machine sleeps; focus is a good moment to look at the wall clock again.
    vscode.window.onDidChangeWindowState((w) => w.focused && service.checkSchedules()),
  );
  // The Accounts menu asks for a sign-in wherever a provider has none (and again when one ends).
  const askForSignIns = () =>
    void requestSignIns(service, auth).catch((e) => log.warn(`Accounts menu sign-in request: ${(e as Error).message}`));
  context.subscriptions.push(
    auth.onDidChangeSessions((e) => e.removed?.length && askForSignIns()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('agentAuth.providers') && askForSignIns()),
  );
  askForSignIns();
  shutdown = async () => {
    // Newest first (the helper server, started on demand, was added last); the log goes last.
    const all = context.subscriptions.splice(0).reverse();
    for (const d of all) await Promise.resolve(d.dispose()).catch(() => undefined);
  };
  log.info(
    `Agent Auth ${(context.extension.packageJSON as { version: string }).version} activated with ${service.getProviders().length} provider(s).`,
  );

  return createApi(service, auth, tokenChanged.event);
}

let shutdown: (() => Promise<void>) | undefined;

/**
 * VS Code awaits this before it disposes the subscriptions: language servers stop and the token
 * helper's socket closes here, and nothing is left for VS Code to dispose unawaited.
 */
export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}
