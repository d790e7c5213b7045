import type * as vscode from 'vscode';
import type { AccountRegistry } from '../session/accounts/accounts.js';
import type { TokenService } from '../session/tokenService.js';
import type { TokenHelperSwitch } from './tokenHelper.js';

/** What every piece of VS Code glue receives from `activate`. */
export interface Glue {
  context: vscode.ExtensionContext;
  service: TokenService;
  /** The accounts of each provider: which lane `acme` or `acme@alice` names. */
  accounts: AccountRegistry;
  log: vscode.LogOutputChannel;
  /** Starts an interactive sign-in for `providerId` (or asks which one), with progress UI. */
  signIn(providerId?: string): Promise<void>;
  /** "Sign in with another account": a further account of the provider, beside those signed in. */
  signInAnother(providerId?: string): Promise<void>;
  /** The shared token helper server (started on first call); undefined while it is off (untrusted workspace, setting) or if it could not start. */
  tokenHelper: TokenHelperSwitch;
}
