import vscode = require('vscode');
import { l10n } from 'vscode';
import { AuthError, isAuthError } from '../protocol/errors.js';
import { NOTIFICATION_MAX, serverText } from '../protocol/serverText.js';
import type { ClientSecrets } from '../session/signIn/clientContext.js';
import type { ProviderConfig } from '../session/config/config.js';
import type { UserCodePrompt } from '../protocol/deviceCode.js';
import type { FlowKind } from '../session/signIn/signIn.js';
import type { TokenService } from '../session/tokenService.js';
import { ensureClientSecret } from './clientSecretUi.js';
import { REFUSED_REQUEST_ERRORS, usableForward } from './forwardedRedirect.js';

/**
 * Interactive sign-in with VS Code's UI, as VS Code's GitHub provider does it: one cancellable
 * progress notification for the whole sign-in and, for the device flow, one modal dialog with
 * the code and a "Copy code and open <host>" button. Nothing is left behind on success (the
 * status bar says it). A failure resolves false at once: its notification is not awaited, so a
 * caller such as createSession is not held until the user dismisses it.
 */
export async function runSignIn(
  service: TokenService,
  provider: ProviderConfig,
  log: vscode.LogOutputChannel,
  clientSecrets?: ClientSecrets,
  retry: () => void = () => void runSignIn(service, provider, log, clientSecrets),
): Promise<boolean> {
  // The provider's label, with the account of a lane signing in again where it has several (never `acme#2`).
  const name = service.nameOf(provider.id);
  if (clientSecrets && !(await ensureClientSecret(provider, clientSecrets))) {
    log.info(`Sign-in to ${name} cancelled: no client secret was entered.`);
    return false;
  }
  const remoteAuto = provider.flow === 'auto' && isRemoteWindow();
  const flow: FlowKind = provider.flow !== 'auto' ? provider.flow : 'authorizationCode';
  try {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: l10n.t('Agent Auth: signing in to {0}', name),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        /** Set when a remote window's browser flow cannot work: why, for the log. */
        let fallback: string | undefined;
        const attempt = (preferred: FlowKind) => {
          progress.report({
            message: preferred === 'deviceCode' ? l10n.t('Requesting a code…') : l10n.t('Continue in your browser…'),
          });
          return service.signIn(provider.id, {
            preferredFlow: preferred,
            signal: abort.signal,
            openBrowser: async (url) => {
              const opened = await openExternal(url);
              if (!opened && remoteAuto) fallback = 'the browser could not be opened';
              return opened;
            },
            externalRedirectUri: async (local) => {
              const forwarded = await externalRedirect(local, log);
              if (forwarded) return forwarded;
              if (!remoteAuto) return local;
              fallback = 'the loopback redirect cannot be forwarded to this window';
              throw new AuthError('unsupported', fallback);
            },
            onUserCode: (p) => {
              progress.report({
                message: l10n.t('Enter code {0} at {1}. Waiting for approval…', p.userCode, p.verificationUri),
              });
              void offerDeviceCode(p, abort);
            },
          });
        };
        try {
          try {
            await attempt(flow);
          } catch (e) {
            // Remote windows (flow auto): the browser flow through the forwarded port first, the device code when it cannot work.
            if (!remoteAuto || abort.signal.aborted) throw e;
            if (
              !fallback &&
              isAuthError(e, 'oauth_error') &&
              REFUSED_REQUEST_ERRORS.includes(e.details.oauthError ?? '')
            )
              fallback = `the server refused the request (${e.details.oauthError})`;
            if (!fallback) throw e;
            log.info(`Sign-in to ${name}: ${fallback}; using the device code instead.`);
            await attempt('deviceCode');
          }
        } finally {
          sub.dispose();
        }
      },
    );
    return true;
  } catch (e) {
    if (isAuthError(e, 'cancelled')) {
      log.info(`Sign-in to ${name} cancelled.`);
      return false;
    }
    // Server text in it was made inert where it entered; this is the last guard before a notification.
    const message = serverText((e as Error).message, NOTIFICATION_MAX);
    log.error(`Sign-in to ${name} failed: ${message}`);
    const again = l10n.t('Try Again');
    const showLog = l10n.t('Show Log');
    void vscode.window
      .showErrorMessage(l10n.t('Agent Auth: sign-in to {0} failed. {1}', name, message), again, showLog)
      .then((choice) => {
        if (choice === again) retry();
        else if (choice === showLog) log.show();
      });
    return false;
  }
}

/** Remote (SSH, WSL, containers) or web (code-server, vscode.dev): the browser may not reach 127.0.0.1 of this extension host. */
function isRemoteWindow(): boolean {
  return vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
}

async function openExternal(url: string): Promise<boolean> {
  // Uri.parse would re-encode the query; the string overload keeps the URL byte for byte.
  return vscode.env.openExternal(url as unknown as vscode.Uri);
}

/**
 * The redirect the browser can reach: in a remote window the forwarded address replaces
 * 127.0.0.1 (see forwardedRedirect.ts); undefined when no usable forward exists.
 */
async function externalRedirect(local: string, log: vscode.LogOutputChannel): Promise<string | undefined> {
  try {
    const ext = (await vscode.env.asExternalUri(vscode.Uri.parse(local))).toString(true);
    const usable = usableForward(local, ext);
    if (!usable) log.info(`The forwarded redirect ${ext.replace(/\?.*$/, '')} cannot reach the loopback listener.`);
    return usable;
  } catch (e) {
    log.warn(`asExternalUri failed (${(e as Error).message}).`);
    return undefined;
  }
}

/**
 * The device code in a modal dialog. Closing it cancels the sign-in; the button copies the code
 * and opens the verification page. The progress notification keeps showing the code meanwhile.
 * A page on a host the IdP's metadata does not name (Entra, Google) is shown for the user to
 * open, never opened by Agent Auth.
 */
async function offerDeviceCode(p: UserCodePrompt, abort: AbortController): Promise<void> {
  const host = hostOf(p.verificationUri);
  const action = p.openable ? l10n.t('Copy code and open {0}', host) : l10n.t('Copy code');
  const detail = p.openable
    ? l10n.t('Enter it at {0} to sign in to Agent Auth.', host)
    : l10n.t(
        "Open {0} in your browser and enter it there. Agent Auth does not open this page itself: the identity provider's metadata does not name its host.",
        p.verificationUri,
      );
  const choice = await vscode.window.showInformationMessage(
    l10n.t('Your sign-in code is {0}', p.userCode),
    { modal: true, detail },
    action,
  );
  if (abort.signal.aborted) return;
  if (choice !== action) return abort.abort();
  await vscode.env.clipboard.writeText(p.userCode);
  if (p.openable) await openExternal(p.verificationUriComplete ?? p.verificationUri);
}

function hostOf(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
}
