import { providerOfLane } from '../laneIds.js';
import type { AccessToken, TokenChange } from '../tokenService.js';

/**
 * What other extensions see of tokens and changes (api.d.ts): the configured provider id, never
 * a lane's (`acme#2` is internal, see accounts.ts), and the account as its own field. Copies:
 * nothing a caller does to them reaches the service's sessions.
 */
export function apiToken(t: AccessToken): AccessToken {
  return { ...t, providerId: providerOfLane(t.providerId), account: { id: t.account.id, label: t.account.label } };
}

export function apiChange(e: TokenChange): TokenChange {
  return {
    ...e,
    providerId: providerOfLane(e.providerId),
    ...(e.account && { account: { id: e.account.id, label: e.account.label } }),
  };
}
