import { basename, delimiter, dirname } from 'node:path';
import vscode = require('vscode');
import { l10n } from 'vscode';
import { installLauncher, launcherPath, launcherScript, NotOurFileError } from '../helper/launcher.js';
import type { Glue } from './glue.js';
import { helperInstalled, helperNotInstallable } from './messages.js';

/**
 * "Agent Auth: Install Token Helper on PATH": a stable `agent-auth-token` in the user's bin
 * directory that runs the newest installed version, for processes VS Code does not start (with
 * `agentAuth.helper.userWide`). Says what it did and how to undo it.
 */
export function registerInstallHelper(g: Glue): vscode.Disposable {
  return vscode.commands.registerCommand('agentAuth.installHelper', async () => {
    const ext = g.context.extension;
    const folder = basename(ext.extensionPath);
    const id = ext.id.toLowerCase();
    if (!folder.toLowerCase().startsWith(`${id}-`)) {
      void vscode.window.showErrorMessage(helperNotInstallable(ext.extensionPath));
      return;
    }
    const target = launcherPath();
    try {
      const { replaced } = installLauncher(target, launcherScript(process.platform, dirname(ext.extensionPath), id));
      g.log.info(`${replaced ? 'Updated' : 'Installed'} the agent-auth-token launcher at ${target}.`);
      const onPath = (process.env.PATH ?? '').split(delimiter).includes(dirname(target));
      const userWide = vscode.workspace.getConfiguration('agentAuth').get<boolean>('helper.userWide', false);
      void vscode.window.showInformationMessage(
        [
          helperInstalled(target),
          onPath ? '' : l10n.t('{0} is not on your PATH yet: add it to use the command by name.', dirname(target)),
          userWide ? '' : l10n.t('Outside VS Code terminals it needs the setting agentAuth.helper.userWide.'),
        ]
          .filter(Boolean)
          .join(' '),
      );
    } catch (err) {
      if (!(err instanceof NotOurFileError))
        g.log.error(`Installing the agent-auth-token launcher: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(
        l10n.t('Agent Auth: could not install agent-auth-token: {0}', (err as Error).message),
      );
    }
  });
}
