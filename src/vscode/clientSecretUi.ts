import vscode = require('vscode');
import { l10n } from 'vscode';
import type { ClientSecrets } from '../session/signIn/clientContext.js';
import type { ProviderConfig } from '../session/config/config.js';
import type { Glue } from './glue.js';
import { resolveProvider } from './providerPick.js';
import { noClientSecretProvider } from './messages.js';

const needsSecret = (p: ProviderConfig) => !!p.clientAuthentication && p.clientAuthentication !== 'none';

/** A password box for `provider`'s client secret; undefined when the user cancels. */
async function askClientSecret(p: ProviderConfig): Promise<string | undefined> {
  const secret = await vscode.window.showInputBox({
    title: l10n.t('Agent Auth: client secret for {0}', p.label),
    prompt: l10n.t(
      "{0} authenticates with a client secret ({1}). It is kept in VS Code's secret storage, never in settings.",
      p.label,
      p.clientAuthentication!,
    ),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) =>
      v.trim() ? undefined : l10n.t("Enter the client secret from the identity provider's app registration."),
  });
  return secret?.trim() || undefined;
}

/** Before sign-in: a provider that needs a secret and has none asks for it. False when the user declined. */
export async function ensureClientSecret(p: ProviderConfig, secrets: ClientSecrets): Promise<boolean> {
  if (!needsSecret(p) || (await secrets.get(p.id))) return true;
  const secret = await askClientSecret(p);
  if (!secret) return false;
  await secrets.set(p.id, secret);
  return true;
}

/** "Agent Auth: Set Client Secret…": stores (or replaces) the secret of a provider that uses one. */
export function registerClientSecretCommand(g: Glue, secrets: ClientSecrets): vscode.Disposable {
  return vscode.commands.registerCommand('agentAuth.setClientSecret', async (id?: string) => {
    const p = await resolveProvider(
      id,
      g.service.getProviders().filter(needsSecret),
      l10n.t('Set the client secret of which provider?'),
      () => void vscode.window.showInformationMessage(noClientSecretProvider()),
    );
    if (!p) return;
    const secret = await askClientSecret(p);
    if (!secret) return;
    await secrets.set(p.id, secret);
    g.log.info(`Stored the client secret of ${p.label}.`);
    void vscode.window.showInformationMessage(l10n.t('Agent Auth: client secret of {0} stored.', p.label));
  });
}
