import vscode = require('vscode');
import { l10n } from 'vscode';
import { MIN_VALIDITY_S } from '../session/config/validity.js';
import type { Glue } from './glue.js';
import { namedLane, pickSignedIn, resolveProvider } from './providerPick.js';
import {
  copyTokenWarning,
  deleteUnreadableDetail,
  deleteUnreadableQuestion,
  noUnreadableEntries,
  unreadableDeleted,
} from './messages.js';

/** The palette commands that act on one provider: sign in/out, refresh, copy the token, show the log. */
export function registerCommands(g: Glue): vscode.Disposable {
  const { service, log } = g;

  return vscode.Disposable.from(
    vscode.commands.registerCommand('agentAuth.signIn', (id?: string) => g.signIn(id)),

    vscode.commands.registerCommand('agentAuth.signInAnotherAccount', (id?: string) => g.signInAnother(id)),

    vscode.commands.registerCommand('agentAuth.makeDefaultAccount', async (laneId?: string) => {
      // The accounts of providers with several; the default one is what `acme` names everywhere.
      const choices = service.getProviders().flatMap((p) => {
        const accounts = g.accounts.accounts(p.id);
        return accounts.length > 1 ? accounts.filter((a) => !a.isDefault).map((a) => ({ ...a, provider: p })) : [];
      });
      const chosen = laneId
        ? choices.find((c) => c.laneId === laneId)
        : await vscode.window
            .showQuickPick(
              choices.map((c) => ({
                label: c.label,
                description: c.provider.label,
                detail: g.accounts.referenceOf(c.laneId),
                c,
              })),
              { title: l10n.t('Agent Auth'), placeHolder: l10n.t('Make which account the default?') },
            )
            .then((x) => x?.c);
      if (!chosen) {
        if (laneId || !choices.length)
          void vscode.window.showInformationMessage(l10n.t('Agent Auth: no other account to make the default.'));
        return;
      }
      await g.accounts.setDefault(chosen.laneId);
      log.info(`${chosen.provider.label}: ${chosen.label} is now the default account.`);
    }),

    vscode.commands.registerCommand('agentAuth.signOut', async (id?: string) => {
      // Also a session that can no longer refresh: signing out is how the user clears it. Each account
      // on its own (with the scope-set sessions made for it), and each scope-set session alone.
      const withSession = service.getProviders().flatMap((p) => {
        const accounts = g.accounts.accounts(p.id);
        const sets = g.accounts.scopeSets(p.id).map((a) => {
          const lane = service.state(a.laneId)!.provider;
          return {
            ...lane,
            label: `${p.label}: ${l10n.t('{0} (+{1})', a.label, lane.scopes.filter((x) => !p.scopes.includes(x)).join(' '))}`,
          };
        });
        return [
          ...accounts.map((a) => ({
            ...service.state(a.laneId)!.provider,
            label: accounts.length > 1 || sets.length ? `${p.label}: ${a.label}` : p.label,
          })),
          ...sets,
        ];
      });
      const p = await resolveProvider(
        namedLane(g, id)?.id ?? id,
        withSession,
        l10n.t('Sign out of which provider?'),
        () => void vscode.window.showInformationMessage(l10n.t('Agent Auth: no provider is signed in.')),
        // The reference that names the account, never its lane id (`acme#2`).
        (p) => (p.laneOf || g.accounts.accounts(p.id).length > 1 ? g.accounts.referenceOf(p.id) : p.id),
      );
      if (!p) return;
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: l10n.t('Signing out of {0}…', service.nameOf(p.id)) },
        () => g.accounts.signOut(p.id),
      );
      // No success toast: the status bar and the Accounts menu say it.
    }),

    vscode.commands.registerCommand('agentAuth.refreshNow', async (id?: string) => {
      const p = await pickSignedIn(g, id, l10n.t('Refresh which provider?'));
      if (!p) return;
      try {
        // No success toast: the status bar shows the new expiry.
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: l10n.t('Refreshing {0}…', service.nameOf(p.id)) },
          () => service.refreshNow(p.id),
        );
      } catch (e) {
        void vscode.window.showErrorMessage(
          l10n.t('Agent Auth: refresh of {0} failed. {1}', service.nameOf(p.id), (e as Error).message),
        );
      }
    }),

    vscode.commands.registerCommand('agentAuth.copyAccessToken', async (id?: string) => {
      const p = await pickSignedIn(g, id, l10n.t('Copy the token of which provider?'));
      if (!p) return;
      const copy = l10n.t('Copy Token');
      const ok = await vscode.window.showWarningMessage(
        l10n.t('Copy the {0} access token?', service.nameOf(p.id)),
        {
          modal: true,
          detail: copyTokenWarning(),
        },
        copy,
      );
      if (ok !== copy) return;
      try {
        const t = await service.getAccessToken(p.id, { minValiditySeconds: MIN_VALIDITY_S });
        await vscode.env.clipboard.writeText(t.accessToken);
        log.info(`Copied the ${service.nameOf(p.id)} access token to the clipboard.`);
      } catch (e) {
        void vscode.window.showErrorMessage(l10n.t('Agent Auth: {0}', (e as Error).message));
      }
    }),

    vscode.commands.registerCommand('agentAuth.showLog', () => log.show()),

    // Unreadable entries set aside earlier may still hold live refresh tokens: revoke, then delete.
    vscode.commands.registerCommand('agentAuth.deleteSetAsideSessions', async () => {
      const count = await service.setAsideCount();
      if (!count) return void vscode.window.showInformationMessage(noUnreadableEntries());
      const del = l10n.t('Delete');
      const ok = await vscode.window.showWarningMessage(
        deleteUnreadableQuestion(count),
        { modal: true, detail: deleteUnreadableDetail() },
        del,
      );
      if (ok !== del) return;
      const r = await service.deleteSetAside();
      void vscode.window.showInformationMessage(unreadableDeleted(r.deleted, r.revoked));
    }),
  );
}
