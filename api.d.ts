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

export interface AccessToken {
  providerId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** The provider's environment variable name (for child processes you start). */
  envVar: string;
  account: { id: string; label: string };
}

export interface GetTokenOptions {
  /** Refresh even if the token looks valid. */
  forceRefresh?: boolean;
  /** The token a server just rejected (401): refresh unless a different, valid token is already there. */
  rejectedToken?: string;
  /** The token must stay valid at least this long, or the call waits for a refresh. Default 15. */
  minValiditySeconds?: number;
}

export type TokenChangeKind = 'signedIn' | 'refreshing' | 'refreshed' | 'refreshFailed' | 'needsSignIn' | 'signedOut' | 'corrupt';

export interface TokenChange {
  providerId: string;
  kind: TokenChangeKind;
  /** For refreshFailed, needsSignIn and corrupt: what happened, in words for the user. */
  message?: string;
}

export interface AgentAuthApi {
  /** A token valid for at least `minValiditySeconds`, for the provider of `session`. */
  getAccessToken(session: vscode.AuthenticationSession, options?: GetTokenOptions): Promise<AccessToken>;
  /** fetch with the session's bearer token, retried once with a fresh token on 401; `init` is re-invoked for the retry. */
  fetchWithToken(session: vscode.AuthenticationSession, url: string, init?: () => RequestInit): Promise<Response>;
  /** Every sign-in, refresh, failure and sign-out (no tokens). */
  onDidChangeToken: vscode.Event<TokenChange>;
}
