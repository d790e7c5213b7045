import * as z from 'zod/mini';
import { AuthError } from './errors.js';
import { documentInvalid } from './messages.js';
import { describeIssues } from './zodIssues.js';

const nonEmpty = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

// Both schemas are built on first use (z.lazy), not when the extension loads: activation talks to no server.

/** The parts of RFC 8414 / OIDC discovery metadata we use; extra members are ignored. */
export const ServerMetadataSchema = z.lazy(() =>
  z.looseObject({
    issuer: nonEmpty(2048),
    authorization_endpoint: z.optional(nonEmpty(2048)),
    token_endpoint: nonEmpty(2048),
    device_authorization_endpoint: z.optional(nonEmpty(2048)),
    revocation_endpoint: z.optional(nonEmpty(2048)),
    userinfo_endpoint: z.optional(nonEmpty(2048)),
    code_challenge_methods_supported: z.optional(z.array(z.string())),
    authorization_response_iss_parameter_supported: z.optional(z.boolean()),
  }),
);

/** Longest access-token lifetime we believe; anything longer is a broken server, not a gift. */
export const MAX_EXPIRES_IN_SECONDS = 366 * 24 * 3600;

export const TokenResponseSchema = z.lazy(() =>
  z.looseObject({
    access_token: nonEmpty(16 * 1024),
    token_type: z.string().check(z.refine((t) => t.toLowerCase() === 'bearer', 'token_type must be "Bearer"')),
    expires_in: z.optional(
      z.number().check(
        z.refine(Number.isFinite, 'expires_in must be a finite number'),
        z.refine((n) => n > 0, 'expires_in must be positive'),
        z.refine((n) => n <= MAX_EXPIRES_IN_SECONDS, `expires_in must be at most ${MAX_EXPIRES_IN_SECONDS} s`),
      ),
    ),
    refresh_token: z.optional(nonEmpty(16 * 1024)),
    id_token: z.optional(z.string()),
    scope: z.optional(z.string()),
  }),
);

/** Parses with `schema` or throws an `invalid_response` AuthError that names `what` and each failing field. */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, data: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw new AuthError('invalid_response', documentInvalid(what, describeIssues(r.error.issues, data, 'the document')));
}
