import vscode = require('vscode');
import { l10n } from 'vscode';
import { formatRemaining } from './countdown.js';
import type { TokenService } from '../session/tokenService.js';
import { AUTH_PROVIDER_ID } from './authProvider.js';
import type { Glue } from './glue.js';
import { providerStatus } from './statusModel.js';

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
    const picked = await vscode.window.showQuickPick(statusActions(g.service, Date.now(), setAside), {
      title: l10n.t('Agent Auth'),
      placeHolder: l10n.t('Choose an action'),
      matchOnDescription: true,
    });
    if (picked?.command) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
  });
}

/** Exported for the host tests, which check the entries a given state produces. */
export function statusActions(service: TokenService, now = Date.now(), setAside = 0): StatusAction[] {
  const items: StatusAction[] = [];
  for (const p of service.getProviders()) {
    const state = service.state(p.id)!;
    const status = providerStatus(state, now, 0);
    const s = state.session;
    items.push({ label: p.label, kind: vscode.QuickPickItemKind.Separator });
    if (status.kind === 'signedOut' || status.kind === 'needsSignIn') {
      const description = status.kind === 'needsSignIn' ? l10n.t('needs sign-in: {0}', status.reason ?? '') : undefined;
      items.push({ label: `$(sign-in) ${l10n.t('Sign In to {0}', p.label)}`, description, command: 'agentAuth.signIn', args: [p.id] });
    } else {
      const summary =
        status.kind === 'valid'
          ? l10n.t('{0}, token valid for {1}', s!.account.label, formatRemaining(status.remainingMs, status.unavoidable))
          : l10n.t('{0}, token expired; refresh failing', s!.account.label);
      const failed = state.lastRefresh && !state.lastRefresh.ok ? state.lastRefresh : undefined;
      items.push({
        label: `$(refresh) ${l10n.t('Refresh Now')}`,
        description: state.refreshing ? l10n.t('{0} (refreshing…)', summary) : summary,
        detail: failed && l10n.t('Last refresh failed: {0}', failed.message ?? ''),
        command: 'agentAuth.refreshNow',
        args: [p.id],
      });
      if (status.kind === 'valid') items.push({ label: `$(copy) ${l10n.t('Copy Access Token')}`, command: 'agentAuth.copyAccessToken', args: [p.id] });
    }
    if (s) {
      // VS Code keeps the list of extensions the user allowed to use this account (getSession's
      // consent, which the exported API relies on too); this opens VS Code's own view of it.
      items.push({
        label: `$(extensions) ${l10n.t('Extensions Allowed to Use {0}…', s.account.label)}`,
        command: MANAGE_TRUSTED_EXTENSIONS,
        args: [{ providerId: AUTH_PROVIDER_ID, accountLabel: s.account.label }],
      });
      items.push({ label: `$(sign-out) ${l10n.t('Sign Out')}`, command: 'agentAuth.signOut', args: [p.id] });
    }
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  if (items.length === 1) {
    items.push({ label: `$(settings-gear) ${l10n.t('Configure Providers…')}`, command: 'workbench.action.openSettings', args: ['agentAuth.providers'] });
  }
  if (setAside > 0) {
    items.push({
      label: `$(trash) ${l10n.t('Delete Set-Aside Session Entries')}`,
      description: l10n.t('{0} unreadable entries; their refresh tokens are revoked first', setAside),
      command: 'agentAuth.deleteSetAsideSessions',
    });
  }
  items.push({ label: `$(output) ${l10n.t('Show Log')}`, command: 'agentAuth.showLog' });
  return items;
}
