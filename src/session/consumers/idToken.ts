import { SessionError } from '../errors.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { AccessToken, GetTokenOptions } from '../tokenService.js';
import { atMostHalfLifetime, MIN_VALIDITY_S } from '../config/validity.js';
import { idTokenExpiredText, idTokenNotJwtText, noIdTokenText } from '../messages.js';

/**
 * The provider's OpenID Connect ID token, for consumers that authenticate with it instead of the
 * access token (Kubernetes API servers configured with `--oidc-issuer-url`, as kubelogin does).
 * The ID token arrives with the access token and is renewed by the same refresh; its own `exp`
 * decides when it is too old. Free of `vscode`.
 */

export interface IdTokenService {
  getAccessToken(id: string, opts?: GetTokenOptions): Promise<AccessToken>;
  state(id: string): { provider: { label: string }; session?: SessionRecord } | undefined;
}

export interface IssuedIdToken {
  providerId: string;
  idToken: string;
  /** Epoch ms, from the token's `exp` claim. */
  expiresAt: number;
}

export async function getIdToken(
  service: IdTokenService,
  providerId: string,
  now: () => number = Date.now,
): Promise<IssuedIdToken> {
  const access = await service.getAccessToken(providerId);
  let id = current(service, providerId);
  if (id.expiresAt - now() > id.minMs) return id.token;
  // Too old: a refresh normally brings a new ID token (OpenID Connect Core §12.2).
  await service.getAccessToken(providerId, { rejectedToken: access.accessToken });
  id = current(service, providerId);
  if (id.expiresAt - now() > 0) return id.token;
  const label = service.state(providerId)?.provider.label ?? providerId;
  throw new SessionError('no_id_token', idTokenExpiredText(label));
}

function current(service: IdTokenService, providerId: string) {
  const st = service.state(providerId);
  const label = st?.provider.label ?? providerId;
  const idToken = st?.session?.idToken;
  if (!idToken) {
    throw new SessionError('no_id_token', noIdTokenText(label));
  }
  const claims = jwtTimes(idToken);
  if (!claims) throw new SessionError('no_id_token', idTokenNotJwtText(label));
  const lifetime = claims.iat !== undefined ? claims.exp - claims.iat : Infinity;
  return {
    token: { providerId, idToken, expiresAt: claims.exp },
    expiresAt: claims.exp,
    minMs: atMostHalfLifetime(MIN_VALIDITY_S * 1000, lifetime),
  };
}

/** `exp` and `iat` (as epoch ms) of a JWS compact token, read without verifying: it came straight from the token endpoint. */
export function jwtTimes(jwt: string): { exp: number; iat?: number } | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { exp, iat } = payload as { exp?: unknown; iat?: unknown };
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
    return { exp: exp * 1000, ...(typeof iat === 'number' && Number.isFinite(iat) && { iat: iat * 1000 }) };
  } catch {
    return undefined;
  }
}
