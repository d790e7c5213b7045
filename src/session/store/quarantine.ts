import * as z from 'zod/mini';
import type { FetchLike } from '../../protocol/http.js';
import { fingerprint, type Logger } from '../../protocol/log.js';
import { revokeToken } from '../../protocol/tokens.js';
import type { SessionStore } from './sessionStore.js';
import { unreadableEntryRevocationFailedText, unreadableEntryRevokedText } from '../messages.js';

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
        deps.log.info(unreadableEntryRevokedText(key, done ? fingerprint(target.refreshToken) : undefined));
      } catch (err) {
        deps.log.warn(unreadableEntryRevocationFailedText(key, (err as Error).message));
      }
    }
    await store.deleteQuarantined(key);
    result.deleted++;
  }
  return result;
}

/** Bounded, non-empty text: the entry is untrusted. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/** What revoking needs of an unreadable entry (only its plain string fields; anything else it holds is ignored). Built on first use. */
const RevocableSchema = z.lazy(() =>
  z.object({
    refreshToken: text(16_384),
    clientId: text(256),
    endpoints: z.object({
      issuer: text(2048),
      token_endpoint: z.catch(z.optional(text(2048)), undefined),
      revocation_endpoint: text(2048).check(z.refine((v) => URL.canParse(v))),
    }),
  }),
);

type Revocable = z.infer<typeof RevocableSchema> & { endpoints: { token_endpoint: string } };

function revocable(raw: string | undefined): Revocable | undefined {
  let data: unknown;
  try {
    data = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  const r = RevocableSchema.safeParse(data);
  if (!r.success) return undefined;
  const { refreshToken, clientId, endpoints: e } = r.data;
  return {
    refreshToken,
    clientId,
    endpoints: {
      issuer: e.issuer,
      token_endpoint: e.token_endpoint ?? e.issuer,
      revocation_endpoint: e.revocation_endpoint,
    },
  };
}
