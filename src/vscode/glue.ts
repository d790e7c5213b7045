import type * as vscode from 'vscode';
import type { TokenService } from '../session/tokenService.js';
import type { TokenHelperSwitch } from './tokenHelper.js';

/** What every piece of VS Code glue receives from `activate`. */
export interface Glue {
  context: vscode.ExtensionContext;
  service: TokenService;
  log: vscode.LogOutputChannel;
  /** Starts an interactive sign-in for `providerId` (or asks which one), with progress UI. */
  signIn(providerId?: string): Promise<void>;
  /** The shared token helper server (started on first call); undefined while it is off (untrusted workspace, setting) or if it could not start. */
  tokenHelper: TokenHelperSwitch;
}
