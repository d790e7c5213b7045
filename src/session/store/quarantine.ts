import type { FetchLike } from '../../protocol/http.js';
import { fingerprint, type Logger } from '../../protocol/log.js';
import { revokeToken } from '../../protocol/tokens.js';
import type { SessionStore } from './sessionStore.js';

/**
 * Entries set aside as unreadable (see SessionStore.read) may still hold a live refresh token,
 * e.g. a session stored under another provider's key or by a newer version. Deleting them revokes
 * that token first where the entry still says where and for which client (best effort: the entry
 * is untrusted, so only its plain string fields are used, and oauth4webapi refuses non-https
 * endpoints other than loopback).
 */
export interface PurgeResult {
  deleted: number;
  revoked: number;
}

export async function purgeQuarantined(
  store: SessionStore,
  deps: { fetch: FetchLike; log: Logger },
): Promise<PurgeResult> {
  const result: PurgeResult = { deleted: 0, revoked: 0 };
  for (const key of await store.quarantined()) {
    const target = revocable(await store.readQuarantined(key));
    if (target) {
      try {
        const done = await revokeToken(
          { endpoints: target.endpoints, clientId: target.clientId, fetch: deps.fetch },
          target.refreshToken,
          'refresh_token',
        );
        if (done) result.revoked++;
        deps.log.info(
          `Set-aside entry ${key}: ${done ? `revoked its refresh token ${fingerprint(target.refreshToken)}` : 'its server has no revocation endpoint'}.`,
        );
      } catch (err) {
        deps.log.warn(
          `Set-aside entry ${key}: revoking its refresh token failed (${(err as Error).message}); deleting it anyway.`,
        );
      }
    }
    await store.deleteQuarantined(key);
    result.deleted++;
  }
  return result;
}

type Revocable = {
  refreshToken: string;
  clientId: string;
  endpoints: { issuer: string; token_endpoint: string; revocation_endpoint: string };
};

function revocable(raw: string | undefined): Revocable | undefined {
  let data: unknown;
  try {
    data = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  const d = data as {
    refreshToken?: unknown;
    clientId?: unknown;
    endpoints?: { issuer?: unknown; token_endpoint?: unknown; revocation_endpoint?: unknown };
  };
  const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
  const e = d?.endpoints;
  if (
    !str(d?.refreshToken, 16_384) ||
    !str(d?.clientId, 256) ||
    !str(e?.issuer, 2048) ||
    !str(e?.revocation_endpoint, 2048) ||
    !URL.canParse(e.revocation_endpoint)
  )
    return undefined;
  return {
    refreshToken: d.refreshToken,
    clientId: d.clientId,
    endpoints: {
      issuer: e.issuer,
      token_endpoint: str(e.token_endpoint, 2048) ? e.token_endpoint : e.issuer,
      revocation_endpoint: e.revocation_endpoint,
    },
  };
}
