import { l10n } from 'vscode';
import type { ServerProblemCode } from '../session/config/addProvider.js';

/**
 * The long sentences the VS Code layer shows (notifications, modal details, prompts, errors handed
 * to other extensions), each a function from values to one whole sentence through `l10n.t`, so the
 * logic that shows them stays readable and l10n/bundle.l10n.json (`npm run l10n`) lists them all.
 * Short labels ("Sign In", "Copy Token") stay inline at their single use.
 */

// Add Provider (addProvider.ts)

export const addProviderUrlPrompt = () =>
  l10n.t('The issuer URL of your identity provider, or the URL of a protected resource (RFC 9728) that names it.');

export const providersSettingNotAList = () =>
  l10n.t(
    '"agentAuth.providers" in your user settings is not a list. Fix it in Preferences: Open User Settings (JSON), then try again.',
  );

/** What a problem the server analysis found means for the user. */
export function serverProblem(code: ServerProblemCode): string {
  switch (code) {
    case 'noSignInMethod':
      return l10n.t(
        'Cannot work: the server offers neither the authorization code grant nor the device authorization grant.',
      );
    case 'noPkceS256':
      return l10n.t('Cannot work: the server does not support PKCE with S256 and has no device authorization grant.');
    case 'noRefreshTokens':
      return l10n.t(
        'Cannot keep tokens fresh: the server does not advertise the refresh_token grant, so you would sign in again whenever the token expires. Some servers issue refresh tokens without listing the grant; add it anyway to find out.',
      );
    case 'deviceOnly':
      return l10n.t('Sign-in uses the device code only: browser sign-in is not possible with this server.');
    case 'pkceNotAdvertised':
      return l10n.t(
        'The server does not say whether it supports PKCE; Agent Auth sends S256 and reports clearly if it is refused.',
      );
    case 'noDeviceFlow':
      return l10n.t('No device code sign-in: remote, web and code-server windows also sign in through the browser.');
    case 'noRevocation':
      return l10n.t(
        'No revocation: signing out forgets the tokens here; they stay valid at the server until they expire.',
      );
  }
}

export const registerPublicClient = () =>
  l10n.t('Client type: public (no client secret; "native", "desktop" or "public client" at most identity providers).');

export const registerRedirectUri = (redirectUri: string) =>
  l10n.t('Redirect URI: {0} (loopback, any port: Agent Auth picks a free port for each sign-in).', redirectUri);

// Sessions handed to other extensions (api.ts, authProvider.ts)

export const sessionNotHandedOut = () =>
  l10n.t(
    'Agent Auth gives tokens only for a session from vscode.authentication.getSession("agent-auth", …), which asks the user to allow your extension.',
  );

export const noProviderForScopes = () =>
  l10n.t('No Agent Auth provider matches the requested scopes. Configure one in agentAuth.providers.');

export const scopesNotAllowed = (provider: string, outside: string, allowed: string) =>
  l10n.t(
    '{0} does not allow the scopes {1} (its allowedScopes: {2}). Add them to allowedScopes in its agentAuth.providers entry.',
    provider,
    outside,
    allowed,
  );

// Commands (commands.ts, clientSecretUi.ts, installHelper.ts)

export const noClientSecretProvider = () =>
  l10n.t(
    'Agent Auth: no provider uses a client secret. Set "clientAuthentication" to "client_secret_basic" or "client_secret_post" in its agentAuth.providers entry first.',
  );

export const copyTokenWarning = () =>
  l10n.t(
    'Anyone who sees it can act as you until it expires. Clipboard managers and screen sharing may keep or show it. Prefer the agent-auth-token helper in terminals.',
  );

export const helperNotInstallable = (extensionPath: string) =>
  l10n.t(
    'Agent Auth: the token helper can be installed on PATH only from an installed extension (this one runs from {0}).',
    extensionPath,
  );

export const helperInstalled = (target: string) =>
  l10n.t(
    'Agent Auth: installed agent-auth-token at {0}. It runs the newest installed Agent Auth, so extension updates keep it working. To undo, delete that file.',
    target,
  );

// Unreadable session entries (commands.ts, statusView.ts); the command id keeps its old name.

export const deleteUnreadableTitle = () => l10n.t('Delete Unreadable Session Entries');

export const noUnreadableEntries = () => l10n.t('Agent Auth: there are no unreadable session entries.');

export const deleteUnreadableQuestion = (count: number) => l10n.t('Delete {0} unreadable session entries?', count);

export const deleteUnreadableDetail = () =>
  l10n.t(
    'Agent Auth could not read them and kept them instead of deleting them. Their refresh tokens are revoked first where the entry says how.',
  );

export const unreadableDeleted = (deleted: number, revoked: number) =>
  l10n.t('Agent Auth: deleted {0} unreadable session entries; revoked {1} refresh tokens.', deleted, revoked);

// The token helper (tokenHelper.ts)

export const helperUntrusted = () =>
  l10n.t(
    'Agent Auth: this window’s workspace is not trusted (Restricted Mode), so the token helper gives no tokens. Trust the workspace to use it.',
  );
