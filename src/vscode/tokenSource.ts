import { gitHostsOf, type ProviderConfig } from '../session/config/config.js';
import { SessionError } from '../session/errors.js';
import { getIdToken, type IssuedIdToken } from '../session/consumers/idToken.js';
import { isUsable, type SessionRecord } from '../session/store/sessionRecord.js';
import type { AccessToken, GetTokenOptions, TokenService } from '../session/tokenService.js';
import { type AccountResolver, SINGLE_ACCOUNTS } from '../session/accounts/accounts.js';

/**
 * Which providers can hand out a token now, and the token source the helper server and the
 * commands share: with no provider named it picks the only signed-in one. Free of `vscode`.
 */

/** Signed in: holds a token that is still valid, or a refresh token to get one. */
export const isSignedIn = (s: SessionRecord | undefined, now = Date.now()): boolean =>
  !!s && ((!!s.refreshToken && !s.needsSignIn) || isUsable(s, now, 0));

/** The providers whose default account is signed in. */
export function signedInProviders(
  service: TokenService,
  now = Date.now(),
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): ProviderConfig[] {
  return service.getProviders().filter((p) => isSignedIn(service.state(accounts.defaultLane(p.id))?.session, now));
}

/** The lane to take a token from: the named provider or account (`acme`, `acme@alice`), else the only signed-in provider's default account. */
export function resolveProviderId(
  service: TokenService,
  providerId: string | undefined,
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): string {
  if (providerId !== undefined) return accounts.resolve(providerId);
  const ids = signedInProviders(service, Date.now(), accounts).map((p) => p.id);
  if (ids.length === 1) return accounts.defaultLane(ids[0]);
  if (ids.length === 0) {
    throw new SessionError('not_signed_in', 'Not signed in to any provider. Run "Agent Auth: Sign In".');
  }
  throw new SessionError('unknown_provider', `Several providers are signed in; name one of: ${ids.join(', ')}.`);
}

export interface TokenSource {
  /** The token, with the hosts git may send it to (gitHostsOf its provider) and its lane in words for messages (TokenService.nameOf). */
  getAccessToken(
    providerId: string | undefined,
    opts?: GetTokenOptions,
  ): Promise<AccessToken & { gitHosts: string[]; name: string }>;
  /** For the helper, the ID token in `accessToken`. */
  getIdToken(
    providerId: string | undefined,
  ): Promise<{ providerId: string; name: string; accessToken: string; expiresAt: number }>;
}

export function tokenSource(service: TokenService, accounts: AccountResolver = SINGLE_ACCOUNTS): TokenSource {
  return {
    getAccessToken: async (providerId, opts) => {
      const t = await service.getAccessToken(resolveProviderId(service, providerId, accounts), opts);
      const provider = service.state(t.providerId)?.provider;
      return { ...t, gitHosts: provider ? gitHostsOf(provider) : [], name: service.nameOf(t.providerId) };
    },
    getIdToken: async (providerId) => {
      const t: IssuedIdToken = await getIdToken(service, resolveProviderId(service, providerId, accounts));
      return {
        providerId: t.providerId,
        name: service.nameOf(t.providerId),
        accessToken: t.idToken,
        expiresAt: t.expiresAt,
      };
    },
  };
}
