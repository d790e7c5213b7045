import { isAuthError } from '../../protocol/errors.js';
import type { FetchLike } from '../../protocol/http.js';
import { fingerprint, type Logger } from '../../protocol/log.js';
import { refreshTokens } from '../../protocol/tokens.js';
import { clientContext, type ClientSecretSource } from '../signIn/clientContext.js';
import type { SessionRecord } from '../store/sessionRecord.js';

export interface RedeemDeps {
  fetch: FetchLike;
  clientSecrets?: ClientSecretSource;
  log: Logger;
  now(): number;
  /** Stores the outcome for every window (CrossWindowSync.commit). */
  commit(s: SessionRecord): Promise<void>;
  /** The session's provider or account in words for the log (see TokenService.nameOf); default its id. */
  name?: string;
}

/**
 * Presents the refresh token once, under the lock and the redemption claim, and commits the
 * outcome: the next generation with new tokens, or on invalid_grant a dead session that keeps its
 * access token while it lasts and remembers who must sign in (`dead: true`). `signal` aborts the
 * request, and an abort (sign-out, lock lost) while it was out commits nothing.
 */
export async function redeem(
  current: SessionRecord,
  refreshToken: string,
  signal: AbortSignal,
  deps: RedeemDeps,
): Promise<{ session: SessionRecord; dead: boolean }> {
  const id = deps.name ?? `"${current.providerId}"`;
  deps.log.info(`Refreshing ${id} (refresh token ${fingerprint(refreshToken)}, generation ${current.generation}).`);
  let next: SessionRecord;
  try {
    const t = await refreshTokens(await clientContext(current, deps, signal), refreshToken, () => deps.now());
    next = {
      ...current,
      accessToken: t.accessToken,
      // RFC 6749 §6: a server that does not rotate keeps the old refresh token valid.
      refreshToken: t.refreshToken ?? current.refreshToken,
      idToken: t.idToken ?? current.idToken,
      grantedScope: t.scope ?? current.grantedScope,
      expiresAt: t.expiresAt,
      obtainedAt: deps.now(),
      generation: current.generation + 1,
      needsSignIn: undefined,
    };
  } catch (err) {
    if (!(isAuthError(err, 'oauth_error') && err.details.oauthError === 'invalid_grant')) throw err;
    signal.throwIfAborted();
    const dead: SessionRecord = {
      ...current,
      refreshToken: undefined,
      generation: current.generation + 1,
      needsSignIn: { reason: 'the refresh token was revoked or has expired', at: deps.now() },
    };
    await deps.commit(dead);
    return { session: dead, dead: true };
  }
  signal.throwIfAborted();
  await deps.commit(next);
  deps.log.info(
    `Refreshed ${id}: token ${fingerprint(next.accessToken!)} valid until ${new Date(next.expiresAt).toISOString()}${next.refreshToken !== current.refreshToken ? ', refresh token rotated' : ''}.`,
  );
  return { session: next, dead: false };
}
