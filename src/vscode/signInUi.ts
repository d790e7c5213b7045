import vscode = require('vscode');
import { l10n } from 'vscode';
import { isAuthError } from '../protocol/errors.js';
import { isLoopbackHost } from '../protocol/urls.js';
import type { ProviderConfig } from '../session/config.js';
import type { FlowKind } from '../session/signIn.js';
import type { TokenService } from '../session/tokenService.js';

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
  retry: () => void = () => void runSignIn(service, provider, log),
): Promise<boolean> {
  const flow = preferredFlow(provider);
  try {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: l10n.t('Agent Auth: signing in to {0}', provider.label),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          progress.report({
            message: flow === 'deviceCode' ? l10n.t('Requesting a code…') : l10n.t('Continue in your browser…'),
          });
          await service.signIn(provider.id, {
            preferredFlow: flow,
            signal: abort.signal,
            openBrowser: (url) => openExternal(url),
            externalRedirectUri: (local) => externalRedirect(local, log),
            onUserCode: (p) => {
              progress.report({
                message: l10n.t('Enter code {0} at {1}. Waiting for approval…', p.userCode, p.verificationUri),
              });
              void offerDeviceCode(p.userCode, p.verificationUriComplete ?? p.verificationUri, abort);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    return true;
  } catch (e) {
    if (isAuthError(e, 'cancelled')) {
      log.info(`Sign-in to ${provider.label} cancelled.`);
      return false;
    }
    const message = (e as Error).message;
    log.error(`Sign-in to ${provider.label} failed: ${message}`);
    const again = l10n.t('Try Again');
    const showLog = l10n.t('Show Log');
    void vscode.window
      .showErrorMessage(l10n.t('Agent Auth: sign-in to {0} failed. {1}', provider.label, message), again, showLog)
      .then((choice) => {
        if (choice === again) retry();
        else if (choice === showLog) log.show();
      });
    return false;
  }
}

/** `auto`: the loopback redirect needs the browser and the extension host on one machine. */
function preferredFlow(p: ProviderConfig): FlowKind {
  if (p.flow !== 'auto') return p.flow;
  const remote = vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
  return remote ? 'deviceCode' : 'authorizationCode';
}

async function openExternal(url: string): Promise<boolean> {
  // Uri.parse would re-encode the query; the string overload keeps the URL byte for byte.
  return vscode.env.openExternal(url as unknown as vscode.Uri);
}

/**
 * In a remote window the forwarded address replaces 127.0.0.1. A result that is not a loopback
 * http URL (a web proxy path) cannot be a native-app redirect, so the local one is kept.
 */
async function externalRedirect(local: string, log: vscode.LogOutputChannel): Promise<string> {
  try {
    const ext = (await vscode.env.asExternalUri(vscode.Uri.parse(local))).toString(true);
    const u = new URL(ext);
    // Only a plain port forward keeps the loopback server reachable; a rewritten path (code-server's
    // /proxy/<port>/) or a non-loopback host would never deliver the redirect to our listener.
    if (u.protocol === 'http:' && isLoopbackHost(u.hostname) && u.pathname === new URL(local).pathname) return ext;
    log.info(`Forwarded redirect ${u.host}${u.pathname} cannot reach the loopback listener; using ${new URL(local).host}.`);
  } catch (e) {
    log.warn(`asExternalUri failed (${(e as Error).message}); using the local redirect.`);
  }
  return local;
}

/**
 * The device code in a modal dialog. Closing it cancels the sign-in; the button copies the code
 * and opens the verification page. The progress notification keeps showing the code meanwhile.
 */
async function offerDeviceCode(userCode: string, uri: string, abort: AbortController): Promise<void> {
  const host = hostOf(uri);
  const action = l10n.t('Copy code and open {0}', host);
  const choice = await vscode.window.showInformationMessage(
    l10n.t('Your sign-in code is {0}', userCode),
    { modal: true, detail: l10n.t('Enter it at {0} to sign in to Agent Auth.', host) },
    action,
  );
  if (abort.signal.aborted) return;
  if (choice !== action) return abort.abort();
  await vscode.env.clipboard.writeText(userCode);
  await openExternal(uri);
}

function hostOf(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
}
