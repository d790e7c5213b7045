import * as z from 'zod/mini';

/**
 * The one SecretStorage entry per signed-in provider: versioned JSON, validated on every read.
 * It carries the endpoints found at sign-in, so refresh and revocation need no discovery. The
 * schema is built on first use (z.lazy), not at load: sessions are read after activation.
 */
const str = (max = 16 * 1024) => z.string().check(z.minLength(1), z.maxLength(max));

export const SessionRecordSchema = z.lazy(() =>
  z.object({
    v: z.literal(1),
    /** Random per sign-in; distinguishes a new sign-in from a refresh of the same one. */
    sessionId: str(64),
    /** The provider's id, or an account lane's (`acme#2`, see accounts.ts). */
    providerId: str(96),
    clientId: str(256),
    account: z.object({ id: str(1024), label: str(1024) }),
    /** Scopes requested at sign-in. */
    scopes: z.array(z.string()),
    endpoints: z.object({
      issuer: str(2048),
      token_endpoint: str(2048),
      revocation_endpoint: z.optional(str(2048)),
    }),
    resource: z.optional(str(2048)),
    /** RFC 8707 indicators sent on every token request (older entries have only `resource`). */
    resources: z.optional(z.array(str(2048))),
    /** Auth0's `audience`, sent on every token request. */
    audience: z.optional(str(2048)),
    /** Absent: a public client. The secret itself lives in its own SecretStorage entry (see clientContext.ts). */
    clientAuthentication: z.optional(z.enum(['client_secret_basic', 'client_secret_post'])),
    /** Absent once the refresh token died: the entry then only remembers who must sign in again. */
    accessToken: z.optional(str()),
    refreshToken: z.optional(str()),
    idToken: z.optional(z.string()),
    grantedScope: z.optional(z.string()),
    expiresAt: z.number(),
    /** Epoch ms of the last successful token response. */
    obtainedAt: z.number(),
    /** Bumped on every token change; lets another window tell whether it sees the newest entry. */
    generation: z.number().check(z.int(), z.minimum(0)),
    needsSignIn: z.optional(z.object({ reason: z.string(), at: z.number() })),
  }),
);

export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export const SESSION_KEY_PREFIX = 'agent-auth/session/';
export const QUARANTINE_KEY_PREFIX = 'agent-auth/quarantine/';
/** Lists the quarantine keys (not under the prefix, so it is never mistaken for one). */
export const QUARANTINE_INDEX_KEY = 'agent-auth/quarantine-index';

export const sessionKey = (providerId: string) => SESSION_KEY_PREFIX + providerId;

/** A session is usable when it has an access token valid for `minValidityMs` more. */
export function isUsable(s: SessionRecord, now: number, minValidityMs: number): boolean {
  return !!s.accessToken && !s.needsSignIn && s.expiresAt - now > minValidityMs;
}
