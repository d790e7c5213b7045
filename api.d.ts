/**
 * The API of the Agent Auth extension (`agentauth.agent-auth`) for other extensions.
 *
 *   import type { AgentAuthApi } from 'agent-auth/api';   // or copy this file
 *   const api = await vscode.extensions.getExtension<AgentAuthApi>('agentauth.agent-auth')!.activate();
 *   const session = await vscode.authentication.getSession('agent-auth', ['provider:acme'], { createIfNone: true });
 *   const { accessToken } = await api.getAccessToken(session, { minValiditySeconds: 120 });
 *
 * Tokens go only to extensions the user allowed: every call takes the session VS Code handed to
 * the calling extension from `vscode.authentication.getSession('agent-auth', …)`, which VS Code
 * gives out only after asking the user to allow that extension (the same consent as for any
 * authentication provider). A session not handed out by this window is refused.
 */
import type * as vscode from 'vscode';

/** The account a token or change belongs to: the same as the session's `account` from getSession. */
export interface AccountInfo {
  /** The server's id for the account (the ID token's `sub`). */
  id: string;
  /** What the user sees: user name, e-mail or name, as the server reported it. */
  label: string;
}

export interface AccessToken {
  /**
   * The configured provider's id (its `id` in `agentAuth.providers`, as in the scope
   * `provider:<id>`), whichever of its accounts the token is for; `account` says which.
   */
  providerId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** The provider's environment variable name (for child processes you start). */
  envVar: string;
  /** The account the token is for. */
  account: AccountInfo;
}

export interface GetTokenOptions {
  /** Refresh even if the token looks valid. */
  forceRefresh?: boolean;
  /** The token a server just rejected (401): refresh unless a different, valid token is already there. */
  rejectedToken?: string;
  /** The token must stay valid at least this long, or the call waits for a refresh. Default 15. */
  minValiditySeconds?: number;
}

export type TokenChangeKind =
  'signedIn' | 'refreshing' | 'refreshed' | 'refreshFailed' | 'needsSignIn' | 'signedOut' | 'corrupt';

export interface TokenChange {
  /** The configured provider's id, as in AccessToken; with several accounts signed in, `account` says whose token changed. */
  providerId: string;
  kind: TokenChangeKind;
  /** For refreshFailed, needsSignIn and corrupt: what happened, in words for the user. */
  message?: string;
  /**
   * The account the change is about (for signedOut: the account that signed out). Compare its `id`
   * with your session's `account.id`. Absent when no session is known (an unreadable stored entry).
   */
  account?: AccountInfo;
}

export interface AgentAuthApi {
  /** A token valid for at least `minValiditySeconds`, for the provider of `session`. */
  getAccessToken(session: vscode.AuthenticationSession, options?: GetTokenOptions): Promise<AccessToken>;
  /** fetch with the session's bearer token, retried once with a fresh token on 401; `init` is re-invoked for the retry. */
  fetchWithToken(session: vscode.AuthenticationSession, url: string, init?: () => RequestInit): Promise<Response>;
  /** Every sign-in, refresh, failure and sign-out, of every account (no tokens). */
  onDidChangeToken: vscode.Event<TokenChange>;
}
