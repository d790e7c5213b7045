import vscode = require('vscode');
import { startUserWideHelper, type UserWideHelper } from '../helper/userWide.js';
import type { Glue } from './glue.js';
import { tokenSource } from './tokenSource.js';

const SETTING = 'agentAuth.helper.userWide';

/**
 * `agentAuth.helper.userWide`: while on (and the helper is not turned off), this window serves the
 * per-user socket or stands by to take it over. Only a trusted window serves: the socket hands
 * tokens to any process of the user, which a Restricted Mode window must not do.
 */
export function registerUserWideHelper(g: Glue): vscode.Disposable {
  let helper: UserWideHelper | undefined;
  const wanted = () => {
    const c = vscode.workspace.getConfiguration('agentAuth');
    return c.get<boolean>('helper.userWide', false) && c.get<boolean>('helper.enabled', true) !== false && vscode.workspace.isTrusted;
  };
  const update = () => {
    if (wanted() && !helper) {
      helper = startUserWideHelper({ source: tokenSource(g.service), log: g.log });
    } else if (!wanted() && helper) {
      void helper.dispose();
      helper = undefined;
    }
  };
  update();
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => (e.affectsConfiguration(SETTING) || e.affectsConfiguration('agentAuth.helper.enabled')) && update()),
    vscode.workspace.onDidGrantWorkspaceTrust(update),
    { dispose: () => void helper?.dispose() },
  );
}
