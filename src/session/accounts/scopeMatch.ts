import type { AccountRegistry } from './accounts.js';
import { grantedScopes } from './scopeSets.js';
import type { ProviderConfig } from '../config/config.js';
import type { ProviderState } from '../tokenService.js';

export type LaneView = Pick<AccountRegistry, 'defaultLane' | 'lanes' | 'scopesOf' | 'scopeSetAllowed'>;

/**
 * The lanes of `base` whose sessions answer a getSession caller asking for `wanted` (its scopes
 * besides `provider:<id>`), the default account first. Least privilege: an account's session when
 * it covers them; a scope-set session (made for a caller asking more, see scopeSets.ts) only when
 * `wanted` goes beyond the configured scopes, it covers them, and allowedScopes still hold its set.
 */
export function lanesForScopes(
  base: ProviderConfig,
  wanted: string[],
  accounts: LaneView,
  state: (laneId: string) => ProviderState | undefined,
): string[] {
  const def = accounts.defaultLane(base.id);
  const beyond = wanted.some((s) => !base.scopes.includes(s));
  return [def, ...accounts.lanes(base.id).filter((l) => l !== def)].filter(
    (l) => (!accounts.scopesOf(l) || (beyond && accounts.scopeSetAllowed(l))) && covers(state(l), wanted),
  );
}

/** Whether the lane's session is for the wanted scopes: requested for it, or granted by the server. */
function covers(state: ProviderState | undefined, wanted: string[]): boolean {
  if (!state?.session) return false;
  const scopes = new Set([...state.provider.scopes, ...grantedScopes(state.session)]);
  return wanted.every((x) => scopes.has(x));
}
