import type { Logger } from '../../protocol/log.js';
import { allowedScopesOf, type ProviderConfig } from '../config/config.js';
import { providerOfLane } from '../laneIds.js';
import { scopeSetNoLongerAllowedText, scopeSetSignOutFailedText } from '../messages.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { AccountIndex } from './accountIndex.js';
import { type Account, accountIn, type RegistryView } from './account.js';

/**
 * Scope-set lanes: a lane made for a getSession caller asking for scopes beyond the configured
 * ones (within the provider's allowedScopes), holding a session of an account the provider has,
 * but no account of its own. Which lanes are scope sets and with which set, whether the settings
 * still allow one, which go with an account's sign-out, and signing out those the settings no
 * longer allow.
 */

/** The scope set a lane was made for (`pending`: asked for by a sign-in under way, else the index's); undefined: the configured scopes. */
export const scopeSetOf = (
  laneId: string,
  pending: ReadonlyMap<string, string[]>,
  ix: AccountIndex | undefined,
): string[] | undefined => pending.get(laneId) ?? ix?.scopes?.[laneId];

/** The scope-set lanes of the provider that hold a session (not those being signed in to). */
export function scopeSetSessions(view: RegistryView, providerId: string): Account[] {
  return view
    .lanes(providerId)
    .filter((l) => view.scopesOf(l) && !view.isPending(l))
    .flatMap((l) => accountIn(view, l));
}

/**
 * Whether the lane's session is one the settings allow: an account lane always, a scope-set lane
 * while its set is within the provider's allowedScopes (narrowing them ends it, see signOutNarrowed).
 */
export function scopeSetAllowed(view: RegistryView, laneId: string): boolean {
  const base = view.base(providerOfLane(laneId));
  const scopes = view.scopesOf(laneId);
  return !scopes || (!!base && outsideAllowed(base, scopes).length === 0);
}

/**
 * The lanes a sign-out of `laneId` ends (sign-out means out): an account's with the scope-set
 * sessions made for it; a scope-set lane alone.
 */
export function signOutTogether(view: RegistryView, laneId: string): string[] {
  const s = view.scopesOf(laneId) ? undefined : view.state(laneId)?.session;
  const sets = s
    ? scopeSetSessions(view, providerOfLane(laneId))
        .filter((a) => a.id === s.account.id)
        .map((a) => a.laneId)
    : [];
  return [laneId, ...sets];
}

/** Scope-set sessions whose set the provider's allowedScopes no longer hold: signed out with `signOut` (revoked as any sign-out, their lanes dropped), one log line each. */
export async function signOutNarrowed(
  view: RegistryView,
  providers: Iterable<ProviderConfig>,
  signOut: (laneId: string) => Promise<void>,
  log: Logger,
): Promise<void> {
  for (const base of providers) {
    for (const laneId of view.lanes(base.id).filter((l) => !view.isPending(l) && !scopeSetAllowed(view, l))) {
      log.info(scopeSetNoLongerAllowedText(base.label, outsideAllowed(base, view.scopesOf(laneId)!)));
      try {
        await signOut(laneId);
      } catch (e) {
        log.warn(scopeSetSignOutFailedText(base.label, (e as Error).message));
      }
    }
  }
}

/** The scopes of `scopes` a provider's allowedScopes do not hold. */
export const outsideAllowed = (base: ProviderConfig, scopes: string[]) =>
  scopes.filter((s) => !allowedScopesOf(base).includes(s));

/** The scope set a lane of `base` asking for `wanted` is made for: undefined when `wanted` is the configured scopes. */
export const scopeSetFor = (base: ProviderConfig, wanted: string[] | undefined): string[] | undefined =>
  wanted && !sameSet(wanted, base.scopes) ? [...new Set([...base.scopes, ...wanted])] : undefined;

export const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && a.every((x) => b.includes(x)) && new Set(a).size === new Set(b).size;

/** The scopes the server granted (its `scope` answer), or those requested when it did not say. */
export const grantedScopes = (s: SessionRecord): string[] =>
  s.grantedScope ? s.grantedScope.split(' ').filter(Boolean) : s.scopes;
