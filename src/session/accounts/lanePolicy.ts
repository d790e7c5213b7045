import type { ProviderConfig } from '../config/config.js';
import { SessionError } from '../errors.js';
import { providerOfLane } from '../laneIds.js';
import { accountAlreadyHeldText, signedInAnotherAccountText } from '../messages.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { RegistryView } from './account.js';
import { referenceOf } from './resolve.js';

/**
 * What the TokenService asks of the accounts about one lane (its LanePolicy, answered by
 * AccountRegistry): its name in words, the config a sign-in again uses (naming the account to the
 * server), and whether a session just signed in may be kept there. Also the account picker that
 * "Sign in with another account" asks for.
 */

/** Sent by "Sign in with another account", and by a sign-in again where the provider has several accounts, unless the provider entry sets its own `prompt`. */
export const SELECT_ACCOUNT_PROMPT = 'select_account';

/** "Dev IdP" while the provider has one lane; with several, "Dev IdP (dev@bob@example.com)" (never `dev#2`). */
export function nameOf(view: RegistryView, laneId: string): string | undefined {
  const providerId = providerOfLane(laneId);
  const base = view.base(providerId);
  if (!base) return undefined;
  if (view.lanes(providerId).length < 2) return base.label;
  const s = view.state(laneId)?.session;
  if (!s) return base.label;
  const scopes = view.scopesOf(laneId)?.filter((x) => !base.scopes.includes(x));
  if (scopes?.length) return `${base.label} (${s.account.label}, +${scopes.join(' ')})`;
  return `${base.label} (${referenceOf(view, laneId) ?? s.account.label})`;
}

/**
 * A sign-in again of a lane that holds an account (its session, kept when the refresh token
 * died) names that account to the server: `login_hint` (OIDC Core 3.1.2.1) with its label,
 * unless the label has spaces (a display name, no login name), and, where the provider has
 * several accounts, `prompt=select_account`; the entry's own `login_hint`/`prompt` win.
 * Not for a lane "Sign in with another account" runs in (the caller leaves those out).
 */
export function signInConfig(view: RegistryView, laneId: string): ProviderConfig | undefined {
  const state = view.state(laneId);
  const s = state?.session;
  if (!state || !s) return undefined;
  const own = state.provider.authorizationParameters ?? {};
  const several = view.accounts(providerOfLane(laneId)).length > 1;
  const hint = own.login_hint || /\s/.test(s.account.label) ? undefined : s.account.label;
  const prompt = own.prompt || !several ? undefined : SELECT_ACCOUNT_PROMPT;
  if (!hint && !prompt) return undefined;
  return {
    ...state.provider,
    authorizationParameters: { ...own, ...(hint && { login_hint: hint }), ...(prompt && { prompt }) },
  };
}

/**
 * Two lanes never hold one account: a sign-in (again) that brought an account another lane of
 * the provider holds is refused, naming both; the other lane keeps it. Scope-set lanes, and the
 * lane "Sign in with another account" runs in (it deals with an account signed in twice itself;
 * the caller leaves it out), are exempt.
 */
export function checkSignIn(view: RegistryView, laneId: string, s: SessionRecord): void {
  if (view.scopesOf(laneId)) return;
  const providerId = providerOfLane(laneId);
  const holder = view.accounts(providerId).find((a) => a.laneId !== laneId && a.id === s.account.id);
  if (!holder) return;
  const label = view.base(providerId)?.label ?? providerId;
  const meant = view.state(laneId)?.session?.account;
  const held = referenceOf(view, holder.laneId) ?? holder.label;
  if (meant && meant.id !== s.account.id) {
    throw new SessionError(
      'account_in_use',
      signedInAnotherAccountText(label, meant.label, referenceOf(view, laneId) ?? meant.label, s.account.label, held),
    );
  }
  throw new SessionError('account_in_use', accountAlreadyHeldText(label, s.account.label, held));
}

/** The lane's config for "Sign in with another account": the server's account picker, unless the entry sets its own `prompt`. */
export function withSelectAccount(lane: ProviderConfig): ProviderConfig {
  if (lane.authorizationParameters?.prompt) return lane;
  return { ...lane, authorizationParameters: { ...lane.authorizationParameters, prompt: SELECT_ACCOUNT_PROMPT } };
}
