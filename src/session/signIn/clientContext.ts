import { AuthError } from '../../protocol/errors.js';
import type { FetchLike } from '../../protocol/http.js';
import type { ClientContext } from '../../protocol/tokens.js';
import { providerOfLane } from '../laneIds.js';
import type { SecretStore } from '../ports.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import { missingClientSecretText } from '../messages.js';

/**
 * Everything a token request needs besides the grant itself, built in one place for sign-in,
 * refresh, device polling and revocation alike: the endpoints, how the client authenticates
 * (the secret read from SecretStorage, never from settings) and the RFC 8707 `resource` /
 * `audience` parameters that go on every token request.
 */
export type ClientContextSource = Pick<
  SessionRecord,
  'providerId' | 'clientId' | 'endpoints' | 'resource' | 'resources' | 'audience' | 'clientAuthentication'
>;

export interface ClientSecretSource {
  /** The secret of the configured provider `providerId` (never a lane's id: every account of a provider shares its client). */
  get(providerId: string): Promise<string | undefined>;
}

export async function clientContext(
  s: ClientContextSource,
  deps: { fetch: FetchLike; clientSecrets?: ClientSecretSource },
  signal?: AbortSignal,
): Promise<ClientContext> {
  const resources = s.resources ?? (s.resource ? [s.resource] : undefined);
  const ctx: ClientContext = {
    endpoints: s.endpoints,
    clientId: s.clientId,
    fetch: deps.fetch,
    signal,
    tokenParameters: resources || s.audience ? { resources, audience: s.audience } : undefined,
  };
  if (!s.clientAuthentication) return ctx;
  // A further account's session names its lane (`acme#2`); the client, and so its secret, is the provider's.
  const providerId = providerOfLane(s.providerId);
  const secret = await deps.clientSecrets?.get(providerId);
  if (!secret) throw missingClientSecret(providerId, s.clientAuthentication);
  return { ...ctx, clientAuthentication: { method: s.clientAuthentication, secret } };
}

export const missingClientSecret = (providerId: string, method: string) =>
  new AuthError('config', missingClientSecretText(providerId, method));

export const CLIENT_SECRET_KEY_PREFIX = 'agent-auth/client-secret/';

/**
 * Client secrets in SecretStorage, one entry per configured provider id. A lane's id (a further
 * account, see accounts.ts) names its provider's entry: all accounts of a provider share one
 * client, so one secret, set (and rotated) once.
 */
export class ClientSecrets implements ClientSecretSource {
  constructor(private readonly secrets: SecretStore) {}
  get(providerId: string): Promise<string | undefined> {
    return this.secrets.get(clientSecretKey(providerId));
  }
  set(providerId: string, secret: string): Promise<void> {
    return this.secrets.store(clientSecretKey(providerId), secret);
  }
  delete(providerId: string): Promise<void> {
    return this.secrets.delete(clientSecretKey(providerId));
  }
}

const clientSecretKey = (id: string) => CLIENT_SECRET_KEY_PREFIX + providerOfLane(id);
