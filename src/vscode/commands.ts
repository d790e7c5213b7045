import vscode = require('vscode');
import { l10n } from 'vscode';
import type { Glue } from './glue.js';
import { pickSignedIn, resolveProvider } from './providerPick.js';

/** The palette commands that act on one provider: sign in/out, refresh, copy the token, show the log. */
export function registerCommands(g: Glue): vscode.Disposable {
  const { service, log } = g;

  return vscode.Disposable.from(
    vscode.commands.registerCommand('agentAuth.signIn', (id?: string) => g.signIn(id)),

    vscode.commands.registerCommand('agentAuth.signOut', async (id?: string) => {
      // Also a session that can no longer refresh: signing out is how the user clears it.
      const withSession = service.getProviders().filter((p) => service.state(p.id)?.session);
      const p = await resolveProvider(id, withSession, l10n.t('Sign out of which provider?'), () =>
        void vscode.window.showInformationMessage(l10n.t('Agent Auth: no provider is signed in.')),
      );
      if (!p) return;
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: l10n.t('Signing out of {0}…', p.label) },
        () => service.signOut(p.id),
      );
      // No success toast: the status bar and the Accounts menu say it.
    }),

    vscode.commands.registerCommand('agentAuth.refreshNow', async (id?: string) => {
      const p = await pickSignedIn(g, id, l10n.t('Refresh which provider?'));
      if (!p) return;
      try {
        // No success toast: the status bar shows the new expiry.
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: l10n.t('Refreshing {0}…', p.label) },
          () => service.refreshNow(p.id),
        );
      } catch (e) {
        void vscode.window.showErrorMessage(l10n.t('Agent Auth: refresh of {0} failed. {1}', p.label, (e as Error).message));
      }
    }),

    vscode.commands.registerCommand('agentAuth.copyAccessToken', async (id?: string) => {
      const p = await pickSignedIn(g, id, l10n.t('Copy the token of which provider?'));
      if (!p) return;
      const copy = l10n.t('Copy Token');
      const ok = await vscode.window.showWarningMessage(
        l10n.t('Copy the {0} access token?', p.label),
        {
          modal: true,
          detail: l10n.t(
            'Anyone who sees it can act as you until it expires. Clipboard managers and screen sharing may keep or show it. Prefer the agent-auth-token helper in terminals.',
          ),
        },
        copy,
      );
      if (ok !== copy) return;
      try {
        const t = await service.getAccessToken(p.id, { minValiditySeconds: 60 });
        await vscode.env.clipboard.writeText(t.accessToken);
        log.info(`Copied the ${p.label} access token to the clipboard.`);
      } catch (e) {
        void vscode.window.showErrorMessage(l10n.t('Agent Auth: {0}', (e as Error).message));
      }
    }),

    vscode.commands.registerCommand('agentAuth.showLog', () => log.show()),

    // Unreadable entries set aside earlier may still hold live refresh tokens: revoke, then delete.
    vscode.commands.registerCommand('agentAuth.deleteSetAsideSessions', async () => {
      const count = await service.setAsideCount();
      if (!count) return void vscode.window.showInformationMessage(l10n.t('Agent Auth: no session entries are set aside.'));
      const del = l10n.t('Delete');
      const ok = await vscode.window.showWarningMessage(
        l10n.t('Delete {0} set-aside session entries?', count),
        { modal: true, detail: l10n.t('They were unreadable and set aside. Their refresh tokens are revoked first where the entry says how.') },
        del,
      );
      if (ok !== del) return;
      const r = await service.deleteSetAside();
      void vscode.window.showInformationMessage(l10n.t('Agent Auth: deleted {0} set-aside entries; revoked {1} refresh tokens.', r.deleted, r.revoked));
    }),
  );
}
