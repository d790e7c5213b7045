import * as oauth from 'oauth4webapi';
import type { Endpoints } from './endpoints.js';
import { requestOptions } from './endpoints.js';
import { AuthError } from './errors.js';
import type { FetchLike } from './http.js';
import type { Logger } from './log.js';
import { multiTenantIssuer, noAuthorizationServer, noMetadata, otherIssuer, subject } from './messages.js';
import { toAuthError } from './oauthErrors.js';
import { parseOrThrow, ServerMetadataSchema } from './schemas.js';
import { secureUrl } from './urls.js';

export type DiscoveryTarget = { issuer: string } | { resource: string };

export interface DiscoveryDeps {
  fetch: FetchLike;
  log: Logger;
  signal?: AbortSignal;
}

/**
 * Finds the authorization server's endpoints: OpenID Connect discovery, then RFC 8414; for a
 * `resource`, first its RFC 9728 protected-resource metadata. The metadata's `issuer` must equal
 * the expected one (mix-up defence), and an https issuer may not advertise http endpoints.
 */
export async function discover(target: DiscoveryTarget, deps: DiscoveryDeps): Promise<Endpoints> {
  return (await discoverServer(target, deps)).endpoints;
}

/** What the metadata says beyond the endpoints, for describing a server to the user. */
export interface AdvertisedSupport {
  /** `grant_types_supported`, when the server lists it. */
  grantTypes?: string[];
  /** `scopes_supported`, when the server lists it. */
  scopes?: string[];
}

/** {@link discover}, also returning what the server advertises and which document it came from. */
export async function discoverServer(
  target: DiscoveryTarget,
  deps: DiscoveryDeps,
): Promise<{ endpoints: Endpoints; advertised: AdvertisedSupport; metadata: 'oidc' | 'oauth2' }> {
  const issuer = 'resource' in target ? await authorizationServerOf(target.resource, deps) : target.issuer;
  const issuerUrl = secureUrl(issuer, subject.issuer(issuer));
  let lastError: AuthError | undefined;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const res = await oauth.discoveryRequest(issuerUrl, {
        algorithm,
        ...requestOptions(issuer, deps.fetch, deps.signal),
      });
      const as = await oauth.processDiscoveryResponse(issuerUrl, res);
      const { endpoints, advertised } = validate(as, issuerUrl);
      deps.log.info(`Discovered ${issuer} (${algorithm === 'oidc' ? 'OpenID Connect' : 'RFC 8414'} metadata).`);
      return { endpoints, advertised, metadata: algorithm };
    } catch (e) {
      const mismatch = issuerMismatch(e, issuer);
      if (mismatch) throw mismatch;
      lastError = toAuthError(e, subject.discovery(issuer));
      // Only "no such document" moves on to the other well-known location; anything else is the answer.
      const missing =
        lastError.code === 'not_json' || (lastError.code === 'http_status' && lastError.details.status === 404);
      if (!missing) throw lastError;
    }
  }
  throw new AuthError('unsupported', noMetadata(issuer, lastError?.message), { cause: lastError });
}

/** Entra ID's multi-tenant endpoints publish an issuer template, not an issuer. */
const TENANT_TEMPLATE = /\{tenantid\}/i;

/**
 * The metadata names another issuer than the one configured: say both, and what to put in
 * `issuer`. Entra names the tenant by its ID even when the URL names the tenant's domain, and its
 * `common`/`organizations` endpoints publish a `{tenantid}` template that no token will carry.
 */
function issuerMismatch(e: unknown, expected: string): AuthError | undefined {
  if (!(e instanceof oauth.OperationProcessingError) || e.code !== oauth.JSON_ATTRIBUTE_COMPARISON) return undefined;
  const cause = e.cause as { attribute?: string; body?: { issuer?: unknown } } | undefined;
  if (cause?.attribute !== 'issuer' || typeof cause.body?.issuer !== 'string') return undefined;
  const actual = cause.body.issuer.slice(0, 300);
  const shown = JSON.stringify(actual);
  if (TENANT_TEMPLATE.test(actual)) {
    const example = actual.replace(TENANT_TEMPLATE, '<your tenant ID>');
    return new AuthError('issuer_mismatch', multiTenantIssuer(expected, shown, JSON.stringify(example)), { cause: e });
  }
  const tenantById =
    /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/|$)/i.test(actual) &&
    !/[0-9a-f]{8}-[0-9a-f]{4}-/i.test(expected);
  return new AuthError('issuer_mismatch', otherIssuer(expected, shown, tenantById), { cause: e });
}

/** Endpoints named in the settings, by the settings' names (`endpoints` in a provider entry). */
export interface ConfiguredEndpoints {
  authorization?: string;
  token?: string;
  deviceAuthorization?: string;
  revocation?: string;
  userinfo?: string;
}

/**
 * A server without discovery (a GitHub App, a plain OAuth 2 server): the configured endpoints are
 * all there is. Its "issuer" is the authorization endpoint's origin, used only in messages and as
 * the session's server identity; PKCE S256 is sent regardless (RFC 9700 §2.1.1).
 */
export function explicitEndpoints(c: ConfiguredEndpoints & { token: string }): Endpoints {
  return withOverrides({ issuer: new URL(c.authorization ?? c.token).origin, token_endpoint: c.token }, c);
}

/** Discovered endpoints with single fields replaced by configured ones. */
export function withOverrides(e: Endpoints, c: ConfiguredEndpoints | undefined): Endpoints {
  if (!c) return e;
  return {
    ...e,
    ...(c.authorization && { authorization_endpoint: c.authorization }),
    ...(c.token && { token_endpoint: c.token }),
    ...(c.deviceAuthorization && { device_authorization_endpoint: c.deviceAuthorization }),
    ...(c.revocation && { revocation_endpoint: c.revocation }),
    ...(c.userinfo && { userinfo_endpoint: c.userinfo }),
  };
}

async function authorizationServerOf(resource: string, deps: DiscoveryDeps): Promise<string> {
  const url = secureUrl(resource, subject.resource(resource));
  try {
    const res = await oauth.resourceDiscoveryRequest(url, requestOptions(resource, deps.fetch, deps.signal));
    const rs = await oauth.processResourceDiscoveryResponse(url, res);
    const first = rs.authorization_servers?.[0];
    if (!first) throw new AuthError('unsupported', noAuthorizationServer(resource));
    deps.log.info(`Resource ${resource} is protected by ${first}.`);
    return first;
  } catch (e) {
    throw toAuthError(e, subject.resourceDiscovery(resource));
  }
}

function validate(
  as: oauth.AuthorizationServer,
  issuerUrl: URL,
): { endpoints: Endpoints; advertised: AdvertisedSupport } {
  const m = parseOrThrow(ServerMetadataSchema, as, `The metadata of ${issuerUrl.href}`);
  const requireHttps = issuerUrl.protocol === 'https:';
  const check = (value: string | undefined, name: string) => {
    if (value !== undefined) secureUrl(value, `The ${name} of ${m.issuer}`, { requireHttps });
    return value;
  };
  const endpoints: Endpoints = {
    issuer: m.issuer,
    authorization_endpoint: check(m.authorization_endpoint, 'authorization endpoint'),
    token_endpoint: check(m.token_endpoint, 'token endpoint')!,
    device_authorization_endpoint: check(m.device_authorization_endpoint, 'device authorization endpoint'),
    revocation_endpoint: check(m.revocation_endpoint, 'revocation endpoint'),
    userinfo_endpoint: check(m.userinfo_endpoint, 'userinfo endpoint'),
    code_challenge_methods_supported: m.code_challenge_methods_supported,
    authorization_response_iss_parameter_supported: m.authorization_response_iss_parameter_supported,
  };
  return {
    endpoints,
    advertised: { grantTypes: stringList(as.grant_types_supported), scopes: stringList(as.scopes_supported) },
  };
}

/** Informational lists: a malformed one is treated as absent rather than failing discovery. */
const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length <= 200 && v.every((x) => typeof x === 'string' && x.length <= 256)
    ? (v as string[])
    : undefined;
