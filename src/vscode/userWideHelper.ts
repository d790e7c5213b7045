import vscode = require('vscode');
import { startUserWideHelper, type UserWideHelper } from '../helper/userWide.js';
import type { Glue } from './glue.js';
import { HELPER_ENABLED_SETTING, helperEnabled, helperTokenSource } from './tokenHelper.js';

const SETTING = 'agentAuth.helper.userWide';

/**
 * `agentAuth.helper.userWide`: while on (and the helper is not turned off), this window serves the
 * per-user socket or stands by to take it over. Only a trusted window serves: the socket hands
 * tokens to any process of the user, which a Restricted Mode window must not do.
 */
export function registerUserWideHelper(g: Glue): vscode.Disposable {
  let helper: UserWideHelper | undefined;
  const wanted = () => {
    return (
      vscode.workspace.getConfiguration().get<boolean>(SETTING, false) && helperEnabled() && vscode.workspace.isTrusted
    );
  };
  const update = () => {
    if (wanted() && !helper) {
      helper = startUserWideHelper({ source: helperTokenSource(g.service, g.accounts), log: g.log });
    } else if (!wanted() && helper) {
      void helper.dispose();
      helper = undefined;
    }
  };
  update();
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration(
      (e) => (e.affectsConfiguration(SETTING) || e.affectsConfiguration(HELPER_ENABLED_SETTING)) && update(),
    ),
    vscode.workspace.onDidGrantWorkspaceTrust(update),
    // Returned, not voided: deactivate awaits the socket's close.
    { dispose: () => helper?.dispose() },
  );
}
