import vscode = require('vscode');
import { l10n } from 'vscode';
import type { FetchLike } from '../protocol/http.js';
import { secureUrl } from '../protocol/urls.js';
import { analyzeServer, providerEntry, registrationFor, type ServerAnalysis } from '../session/config/addProvider.js';
import {
  addProviderUrlPrompt,
  providersSettingNotAList,
  registerPublicClient,
  registerRedirectUri,
  serverProblem,
} from './messages.js';

/** The dialogs the command shows; host tests answer them in place of a person. */
export interface AddProviderPrompts {
  inputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  /** A modal message; resolves with the chosen action, or undefined when dismissed. */
  modal(
    kind: 'info' | 'warning' | 'error',
    message: string,
    detail: string,
    ...actions: string[]
  ): Thenable<string | undefined>;
}

export const windowPrompts: AddProviderPrompts = {
  inputBox: (o) => vscode.window.showInputBox(o),
  modal: (kind, message, detail, ...actions) => {
    const show =
      kind === 'error'
        ? vscode.window.showErrorMessage
        : kind === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    return show(message, { modal: true, detail }, ...actions);
  },
};

export interface AddProviderDeps {
  fetch: FetchLike;
  log: vscode.LogOutputChannel;
  signIn(providerId: string): Promise<void>;
}

/**
 * "Agent Auth: Add Provider…": issuer (or resource) URL → discovery → what the server supports →
 * client id → a validated entry in the user settings → what to register at the IdP.
 * Resolves with the new entry's id, or undefined when cancelled or impossible.
 */
export async function addProvider(
  deps: AddProviderDeps,
  prompts: AddProviderPrompts = windowPrompts,
): Promise<string | undefined> {
  const title = l10n.t('Agent Auth: Add Provider');
  const url = await prompts.inputBox({
    title,
    prompt: addProviderUrlPrompt(),
    placeHolder: 'https://login.example.com',
    ignoreFocusOut: true,
    validateInput: (v) => urlProblem(v.trim()),
  });
  if (!url) return undefined;

  let a: ServerAnalysis;
  try {
    a = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: l10n.t('Agent Auth: looking up {0}…', url.trim()) },
      () => analyzeServer(url.trim(), { fetch: deps.fetch, log: deps.log }),
    );
  } catch (e) {
    deps.log.warn(`Add Provider: discovery of ${url.trim()} failed: ${(e as Error).message}`);
    await prompts.modal('error', l10n.t('Agent Auth: {0} cannot be used.', url.trim()), (e as Error).message);
    return undefined;
  }
  deps.log.info(
    `Add Provider: ${a.issuer}: ${a.verdict}; ${a.problems.map((p) => p.message).join(' ') || 'nothing missing'}`,
  );

  const proceed = l10n.t('Continue');
  const anyway = l10n.t('Add Anyway');
  const report = describe(a);
  const blockers = a.problems.filter((p) => p.severity === 'blocker');
  let choice: string | undefined;
  if (a.verdict === 'unusable') {
    const canOverride = blockers.every((p) => p.overridable);
    choice = await prompts.modal(
      'error',
      l10n.t('Agent Auth cannot work with {0} as it describes itself.', a.issuer),
      report,
      ...(canOverride ? [anyway] : []),
    );
  } else {
    choice = await prompts.modal(
      a.verdict === 'ready' ? 'info' : 'warning',
      a.verdict === 'ready'
        ? l10n.t('{0} supports everything Agent Auth needs.', a.issuer)
        : l10n.t('{0} works with Agent Auth, with limitations.', a.issuer),
      report,
      proceed,
    );
  }
  if (choice !== proceed && choice !== anyway) return undefined;

  const config = vscode.workspace.getConfiguration('agentAuth');
  const existing: unknown = config.inspect('providers')?.globalValue ?? [];
  if (!Array.isArray(existing)) {
    // Never overwrite what the user wrote, even when it is broken.
    await prompts.modal('error', l10n.t('Agent Auth: the provider was not added.'), providersSettingNotAList());
    return undefined;
  }
  const clientId = await prompts.inputBox({
    title,
    prompt: l10n.t('The client id of the public client registered for Agent Auth at {0}.', a.issuer),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : l10n.t('Enter the client id.')),
  });
  if (!clientId) return undefined;

  let entry: Record<string, unknown>;
  try {
    entry = providerEntry(a, clientId, existing);
  } catch (e) {
    await prompts.modal('error', l10n.t('Agent Auth: the provider was not added.'), (e as Error).message);
    return undefined;
  }
  await config.update('providers', [...(existing as unknown[]), entry], vscode.ConfigurationTarget.Global);
  const id = String(entry.id);
  deps.log.info(`Add Provider: added "${id}" (${a.issuer}) to the user settings.`);

  const steps = registrationSteps(a, entry);
  deps.log.info(`Add Provider: register at ${a.issuer}: ${steps.join(' ')}`);
  const signIn = l10n.t('Sign In');
  const copy = l10n.t('Copy Steps');
  const next = await prompts.modal(
    'info',
    l10n.t('Added "{0}" to agentAuth.providers. Register this at your identity provider:', id),
    steps.join('\n'),
    signIn,
    copy,
  );
  if (next === copy) await vscode.env.clipboard.writeText(steps.join('\n'));
  if (next === signIn) await deps.signIn(id);
  return id;
}

function urlProblem(v: string): string | undefined {
  if (!v) return l10n.t('Enter a URL.');
  try {
    secureUrl(v, v);
    return undefined;
  } catch {
    return l10n.t('Enter an https: URL (http: only for loopback addresses such as 127.0.0.1).');
  }
}

/** What the server supports, then what is missing, as the modal's detail text. */
function describe(a: ServerAnalysis): string {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const lines = [
    l10n.t('Issuer: {0}', a.issuer),
    `${mark(a.authorizationCode && a.pkceS256 !== 'no')} ${l10n.t('Browser sign-in (authorization code grant with PKCE S256)')}`,
    `${mark(a.refreshTokens === 'yes')} ${l10n.t('Refresh tokens (refresh_token grant)')}`,
    `${mark(a.deviceFlow)} ${l10n.t('Device code sign-in (RFC 8628)')}`,
    `${mark(a.revocation)} ${l10n.t('Token revocation on sign-out (RFC 7009)')}`,
  ];
  if (a.problems.length) lines.push('', ...a.problems.map((p) => `• ${serverProblem(p.code)}`));
  return lines.join('\n');
}

function registrationSteps(a: ServerAnalysis, entry: Record<string, unknown>): string[] {
  const r = registrationFor(a, entry);
  return [
    registerPublicClient(),
    ...(r.redirectUri ? [registerRedirectUri(r.redirectUri)] : []),
    l10n.t(
      'Grant types: {0}.',
      r.grantTypes
        .map((g) => (g === 'authorization_code' ? l10n.t('authorization_code with PKCE (S256)') : g))
        .join(', '),
    ),
    l10n.t('Scopes: {0}.', r.scopes.join(' ')),
    l10n.t('Client id: {0}.', r.clientId),
  ];
}
