import vscode = require('vscode');
import { l10n } from 'vscode';
import { formatRemaining } from './countdown.js';
import { type AccountResolver, SINGLE_ACCOUNTS } from '../session/accounts/accounts.js';
import type { ProviderConfig } from '../session/config/config.js';
import type { ProviderState, TokenService } from '../session/tokenService.js';
import { AUTH_PROVIDER_ID } from './authProvider.js';
import type { Glue } from './glue.js';
import { providerStatus } from './statusModel.js';
import { deleteUnreadableTitle } from './messages.js';

/** VS Code's command behind Accounts menu → <account> → Manage Trusted Extensions. */
export const MANAGE_TRUSTED_EXTENSIONS = '_manageTrustedExtensionsForAccount';

/** A Quick Pick entry that runs one of the extension's commands. */
export interface StatusAction extends vscode.QuickPickItem {
  command?: string;
  args?: unknown[];
}

/**
 * `agentAuth.showStatus` (the status bar's click): each provider under its own heading with its
 * state and the actions that fit it (signing in to any provider not signed in yet among them),
 * then Show Log.
 */
export function registerStatusView(g: Glue): vscode.Disposable {
  return vscode.commands.registerCommand('agentAuth.showStatus', async () => {
    const setAside = await g.service.setAsideCount().catch(() => 0);
    const picked = await vscode.window.showQuickPick(statusActions(g.service, Date.now(), setAside, g.accounts), {
      title: l10n.t('Agent Auth'),
      placeHolder: l10n.t('Choose an action'),
      matchOnDescription: true,
    });
    if (picked?.command) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
  });
}

/**
 * Exported for the host tests, which check the entries a given state produces. A provider with
 * several accounts lists each (the default first, marked), with "Make Default Account" on the others.
 */
export function statusActions(
  service: TokenService,
  now = Date.now(),
  setAside = 0,
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): StatusAction[] {
  const items: StatusAction[] = [];
  for (const p of service.getProviders()) {
    items.push({ label: p.label, kind: vscode.QuickPickItemKind.Separator });
    const def = accounts.defaultLane(p.id);
    const lanes = [def, ...accounts.lanes(p.id).filter((l) => l !== def && service.state(l)?.session)];
    for (const lane of lanes) {
      const several = lanes.length > 1 ? { isDefault: lane === def, reference: accounts.referenceOf(lane) } : undefined;
      accountActions(items, p, service.state(lane)!, now, several);
    }
    if (service.state(def)?.session) {
      items.push({
        label: `$(person-add) ${l10n.t('Sign In with Another Account…')}`,
        command: 'agentAuth.signInAnotherAccount',
        args: [p.id],
      });
    }
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  if (items.length === 1) {
    items.push({
      label: `$(settings-gear) ${l10n.t('Configure Providers…')}`,
      command: 'workbench.action.openSettings',
      args: ['agentAuth.providers'],
    });
  }
  if (setAside > 0) {
    items.push({
      label: `$(trash) ${deleteUnreadableTitle()}`,
      description: l10n.t('{0} unreadable entries; their refresh tokens are revoked first', setAside),
      command: 'agentAuth.deleteSetAsideSessions',
    });
  }
  items.push({ label: `$(output) ${l10n.t('Show Log')}`, command: 'agentAuth.showLog' });
  return items;
}

/**
 * One account's entries (`several`: the provider has more than one, so each says which, and
 * which reference reaches it where a provider id is asked for: `acme@<label>`, else `acme@<id>`).
 */
function accountActions(
  items: StatusAction[],
  p: ProviderConfig,
  state: ProviderState,
  now: number,
  several?: { isDefault: boolean; reference?: string },
): void {
  const lane = state.provider.id;
  const status = providerStatus(state, now, 0);
  const s = state.session;
  const extra = state.provider.scopes.filter((x) => !p.scopes.includes(x));
  const who = !s ? '' : extra.length ? l10n.t('{0} (+{1})', s.account.label, extra.join(' ')) : s.account.label;
  const reference = several && s && !scopeLane(state.provider, p) ? referenceLine(p, several) : undefined;
  if (status.kind === 'signedOut' || status.kind === 'needsSignIn') {
    const description = status.kind === 'needsSignIn' ? l10n.t('needs sign-in: {0}', status.reason ?? '') : undefined;
    items.push({
      label: `$(sign-in) ${l10n.t('Sign In to {0}', p.label)}`,
      description: several && s ? `${s.account.label}: ${description ?? ''}` : description,
      detail: reference,
      command: 'agentAuth.signIn',
      args: [lane],
    });
  } else {
    const account = several?.isDefault ? l10n.t('{0} (default)', who) : who;
    const summary =
      status.kind === 'valid'
        ? l10n.t('{0}, token valid for {1}', account, formatRemaining(status.remainingMs, status.unavoidable))
        : l10n.t('{0}, token expired; refresh failing', account);
    const failed = state.lastRefresh && !state.lastRefresh.ok ? state.lastRefresh : undefined;
    items.push({
      label: `$(refresh) ${l10n.t('Refresh Now')}`,
      description: state.refreshing ? l10n.t('{0} (refreshing…)', summary) : summary,
      detail:
        [failed && l10n.t('Last refresh failed: {0}', failed.message ?? ''), reference].filter(Boolean).join(' · ') ||
        undefined,
      command: 'agentAuth.refreshNow',
      args: [lane],
    });
    if (status.kind === 'valid')
      items.push({
        label: `$(copy) ${l10n.t('Copy Access Token')}`,
        command: 'agentAuth.copyAccessToken',
        args: [lane],
      });
  }
  if (s) {
    // VS Code keeps the list of extensions the user allowed to use this account (getSession's
    // consent, which the exported API relies on too); this opens VS Code's own view of it.
    items.push({
      label: `$(extensions) ${l10n.t('Extensions Allowed to Use {0}…', s.account.label)}`,
      command: MANAGE_TRUSTED_EXTENSIONS,
      args: [{ providerId: AUTH_PROVIDER_ID, accountLabel: s.account.label }],
    });
    if (several && !several.isDefault && sameScopes(state.provider, p))
      items.push({
        label: `$(star-empty) ${l10n.t('Make {0} the Default Account', s.account.label)}`,
        command: 'agentAuth.makeDefaultAccount',
        args: [lane],
      });
    // A scope-set lane says which set it is (the account signs out with its scope sets, see accounts.ts).
    items.push({
      label: `$(sign-out) ${several ? l10n.t('Sign Out of {0}', who) : l10n.t('Sign Out')}`,
      command: 'agentAuth.signOut',
      args: [lane],
    });
  }
}

/** A scope-set lane (made for a getSession caller) is no account to make the default. */
const sameScopes = (lane: ProviderConfig, p: ProviderConfig) => lane.scopes.every((x) => p.scopes.includes(x));
const scopeLane = (lane: ProviderConfig, p: ProviderConfig) => !sameScopes(lane, p);

/** How to name the account in agent-auth-token, tasks and settings; one whose label and id both cannot be typed is reachable as the default only. */
function referenceLine(p: ProviderConfig, several: { isDefault: boolean; reference?: string }): string {
  if (several.reference) return l10n.t('Name it as {0}', several.reference);
  return several.isDefault
    ? l10n.t('Name it as {0} (the default account)', p.id)
    : l10n.t('Make it the default account to name it as {0}', p.id);
}
