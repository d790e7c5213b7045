import vscode = require('vscode');
import { NOTIFICATION_MAX, serverText } from '../protocol/serverText.js';
import { l10n } from 'vscode';
import type { ProviderConfig } from '../session/config/config.js';
import { SessionError } from '../session/errors.js';
import type { Glue } from './glue.js';
import { isSignedIn, signedInProviders } from './tokenSource.js';

/**
 * Choosing a provider: the one a command argument names, the only candidate, or the user's
 * QuickPick choice. `whenNone` tells the user why there is nothing to choose.
 */
export async function resolveProvider(
  id: string | undefined,
  candidates: ProviderConfig[],
  placeHolder: string,
  whenNone: () => void,
  describe: (p: ProviderConfig) => string | undefined = (p) => p.id,
): Promise<ProviderConfig | undefined> {
  if (id) {
    const p = candidates.find((c) => c.id === id);
    if (!p) void vscode.window.showWarningMessage(l10n.t('Agent Auth: "{0}" is not configured or not signed in.', id));
    return p;
  }
  if (candidates.length === 0) {
    whenNone();
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const pick = await vscode.window.showQuickPick(
    candidates.map((p) => ({
      label: p.label,
      description: describe(p),
      detail: p.issuer ?? p.resource ?? p.endpoints?.authorization,
      p,
    })),
    { title: l10n.t('Agent Auth'), placeHolder },
  );
  return pick?.p;
}

/** The lane config an argument names: a lane id, `acme` (its default account) or `acme@alice`; undefined when it names none. */
export function namedLane(g: Glue, id: string | undefined): ProviderConfig | undefined {
  if (id === undefined) return undefined;
  try {
    return g.service.state(g.accounts.resolve(id))?.provider;
  } catch {
    return undefined;
  }
}

/** Each provider as its default account's lane (the same label and settings; the id of the lane). */
const defaultLanes = (g: Glue, providers: ProviderConfig[]) =>
  providers.map((p) => g.service.state(g.accounts.defaultLane(p.id))?.provider ?? p);

/** A signed-in provider or account (for a terminal, a task, a command); with none, an offer to sign in. */
export function pickSignedIn(
  g: Glue,
  id: string | undefined,
  placeHolder: string,
): Promise<ProviderConfig | undefined> {
  const lane = namedLane(g, id);
  if (lane && isSignedIn(g.service.state(lane.id)?.session)) return Promise.resolve(lane);
  return resolveProvider(id, defaultLanes(g, signedInProviders(g.service, Date.now(), g.accounts)), placeHolder, () =>
    offerSignIn(g, undefined, l10n.t('Agent Auth: you are not signed in to any provider.')),
  );
}

/** Any configured provider; with none, a pointer to the setting. */
export function pickConfigured(
  g: Glue,
  id: string | undefined,
  placeHolder: string,
): Promise<ProviderConfig | undefined> {
  const lane = namedLane(g, id);
  if (lane) return Promise.resolve(lane);
  return resolveProvider(id, defaultLanes(g, g.service.getProviders()), placeHolder, () => {
    const open = l10n.t('Open Settings');
    void vscode.window
      .showInformationMessage(
        l10n.t('Agent Auth: no provider is configured. Add one to the agentAuth.providers setting.'),
        open,
      )
      .then(
        (a) => a === open && vscode.commands.executeCommand('workbench.action.openSettings', 'agentAuth.providers'),
      );
  });
}

/** A warning with a "Sign In" button; does not wait for the user. The message may quote a server: it is shown inert. */
export function offerSignIn(g: Glue, providerId: string | undefined, message: string): void {
  const signIn = l10n.t('Sign In');
  void vscode.window.showWarningMessage(serverText(message, NOTIFICATION_MAX), signIn).then((a) => {
    if (a === signIn) void g.signIn(providerId);
  });
}

/** Whether an error means the user must sign in (rather than wait or retry). */
export function needsUser(err: unknown): boolean {
  return err instanceof SessionError && (err.code === 'not_signed_in' || err.code === 'needs_sign_in');
}
