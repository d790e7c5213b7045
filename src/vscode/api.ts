import vscode = require('vscode');
import type { AgentAuthApi } from '../../api.js';
import { apiChange, apiToken } from '../session/consumers/apiView.js';
import { fetchWithToken } from '../session/consumers/authorizedFetch.js';
import type { TokenChange, TokenService } from '../session/tokenService.js';
import type { AgentAuthProvider } from './authProvider.js';
import { sessionNotHandedOut } from './messages.js';

/**
 * The API other extensions get (api.d.ts is its published contract). The extension's exports are
 * one object shared by every extension, so the API cannot tell who calls it; instead each call
 * must carry the session VS Code handed to the caller from getSession('agent-auth', …). VS Code
 * gives a session only to extensions the user allowed, so holding one (its access token, which
 * never leaves SecretStorage, the provider and VS Code otherwise) is the proof of consent. The
 * session id alone is not: it is written to the lock folder. Tokens and changes name the configured
 * provider and the account (apiView.ts), never the internal lane of a further account.
 */
export function createApi(
  service: TokenService,
  auth: AgentAuthProvider,
  onDidChangeToken: vscode.Event<TokenChange>,
): AgentAuthApi {
  const providerOf = (session: vscode.AuthenticationSession): string => {
    if (!auth.handedOut(session)) {
      throw new Error(sessionNotHandedOut());
    }
    return session.id.slice(0, session.id.indexOf('/'));
  };
  return {
    getAccessToken: async (session, opts) => apiToken(await service.getAccessToken(providerOf(session), opts)),
    fetchWithToken: async (session, url, init) =>
      fetchWithToken((id, o) => service.getAccessToken(id, o), globalThis.fetch, providerOf(session), url, init),
    onDidChangeToken: (listener, thisArgs, disposables) =>
      onDidChangeToken(
        (e) => {
          listener.call(thisArgs, apiChange(e));
        },
        undefined,
        disposables,
      ),
  };
}
