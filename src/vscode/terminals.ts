import { delimiter } from 'node:path';
import vscode = require('vscode');
import { l10n } from 'vscode';
import { isUsable } from '../session/store/sessionRecord.js';
import { MIN_VALIDITY_S } from '../session/config/validity.js';
import type { Glue } from './glue.js';
import { needsUser, offerSignIn, pickSignedIn } from './providerPick.js';

/**
 * Tokens for integrated terminals. Every terminal gets the token helper's variables (and its bin
 * directory on PATH) while the helper is on (a trusted workspace and agentAuth.helper.enabled;
 * they appear when trust is granted and go when the setting is turned off), so `agent-auth-token`
 * prints a fresh token on demand; those never change on refresh. With agentAuth.terminal.injectToken the tokens themselves go into the environment too.
 * "New Terminal with Token" (command and profile) opens a transient terminal that also holds the
 * chosen provider's current token. The collection is never persisted: nothing of ours reaches disk.
 */
export function registerTerminals(g: Glue): vscode.Disposable {
  const collection = g.context.environmentVariableCollection;
  collection.persistent = false;
  collection.clear();
  let disposed = false;
  /** envVar names this module put into the collection because of injectToken. */
  const injected = new Set<string>();

  const describe = () => {
    collection.description = injected.size
      ? l10n.t(
          'Agent Auth: the token helper (agent-auth-token) and the access tokens of signed-in providers ({0})',
          [...injected].join(', '),
        )
      : l10n.t('Agent Auth: the token helper (agent-auth-token), which prints a fresh access token on demand');
  };
  describe();

  /** The helper's variables while it is on (trusted workspace, agentAuth.helper.enabled); none otherwise. */
  let helperVars: string[] = [];
  const syncHelper = async () => {
    const h = await g.tokenHelper();
    if (disposed) return;
    for (const k of helperVars) collection.delete(k);
    helperVars = [];
    if (!h) return;
    for (const [k, v] of Object.entries(h.env)) collection.replace(k, v);
    collection.prepend('PATH', h.binDir + delimiter);
    helperVars = [...Object.keys(h.env), 'PATH'];
  };
  void syncHelper();

  const syncInjected = () => {
    const on = vscode.workspace.getConfiguration('agentAuth.terminal').get<boolean>('injectToken', false);
    const wanted = new Map<string, string>();
    if (on) {
      for (const p of g.service.getProviders()) {
        const s = g.service.state(g.accounts.defaultLane(p.id))?.session;
        if (s && isUsable(s, Date.now(), 0)) wanted.set(p.envVar, s.accessToken!);
      }
    }
    for (const name of injected) if (!wanted.has(name)) collection.delete(name);
    injected.clear();
    for (const [name, token] of wanted) {
      if (collection.get(name)?.value !== token) collection.replace(name, token);
      injected.add(name);
    }
    describe();
  };
  syncInjected();

  const subscriptions = [
    g.tokenHelper.onDidChange(() => void syncHelper()),
    g.service.onDidChange((e) => {
      if (e.kind !== 'refreshing' && e.kind !== 'refreshFailed') syncInjected();
    }),
    // The variables hold the default account's token: another default changes no token.
    g.accounts.onDidChange(syncInjected),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('agentAuth.terminal.injectToken') || e.affectsConfiguration('agentAuth.providers'))
        syncInjected();
    }),
    vscode.window.registerTerminalProfileProvider('agentAuth.terminal', {
      async provideTerminalProfile() {
        const options = await chooseAndBuild(g);
        return options && new vscode.TerminalProfile(options);
      },
    }),
    vscode.commands.registerCommand('agentAuth.newTerminal', async (providerId?: unknown) => {
      const options = await chooseAndBuild(g, typeof providerId === 'string' ? providerId : undefined);
      if (options) vscode.window.createTerminal(options).show();
    }),
  ];
  return new vscode.Disposable(() => {
    disposed = true;
    subscriptions.forEach((d) => d.dispose());
    collection.clear();
  });
}

async function chooseAndBuild(g: Glue, providerId?: string): Promise<vscode.TerminalOptions | undefined> {
  const id =
    providerId ?? (await pickSignedIn(g, undefined, l10n.t('Which provider’s token should the terminal get?')))?.id;
  return id === undefined ? undefined : terminalOptions(g, id);
}

/** Options for a terminal holding `providerId`'s token; transient, so VS Code never revives it (or its env) later. */
export async function terminalOptions(g: Glue, providerId: string): Promise<vscode.TerminalOptions | undefined> {
  let token;
  try {
    token = await g.service.getAccessToken(g.accounts.resolve(providerId), { minValiditySeconds: MIN_VALIDITY_S });
  } catch (err) {
    const message = l10n.t('Agent Auth: {0}', (err as Error).message);
    if (needsUser(err)) offerSignIn(g, providerId, message);
    else void vscode.window.showErrorMessage(message);
    return undefined;
  }
  const helper = await g.tokenHelper();
  const label = g.service.nameOf(token.providerId);
  return {
    name: l10n.t('{0} token', label),
    iconPath: new vscode.ThemeIcon('key'),
    env: { ...helper?.env, [token.envVar]: token.accessToken },
    isTransient: true,
  };
}
