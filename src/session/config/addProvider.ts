import {
  type AdvertisedSupport,
  type DiscoveryDeps,
  type DiscoveryTarget,
  discoverServer,
} from '../../protocol/discovery.js';
import type { Endpoints } from '../../protocol/endpoints.js';
import { AuthError, isAuthError } from '../../protocol/errors.js';
import {
  deviceOnlyText,
  invalidNewEntryText,
  noDeviceFlowText,
  noPkceS256Text,
  noRefreshTokensText,
  noRevocationText,
  noSignInMethodText,
  notAServerText,
  pkceNotAdvertisedText,
} from '../messages.js';
import { parseProviders } from './config.js';
import { DEFAULT_SCOPES, type ProviderConfig } from './providerSchema.js';

/**
 * The "Add Provider" analysis, without any UI: what a server offers (from its metadata), whether
 * Agent Auth can work with it, the provider entry to write, and what to register at the IdP.
 */

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The loopback redirect Agent Auth uses (any port, RFC 8252 §7.3); the one definition for instructions. */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

export type Tristate = 'yes' | 'no' | 'notAdvertised';

export type ServerProblemCode =
  | 'noSignInMethod'
  | 'noPkceS256'
  | 'noRefreshTokens'
  | 'deviceOnly'
  | 'pkceNotAdvertised'
  | 'noDeviceFlow'
  | 'noRevocation';

export interface ServerProblem {
  /** Stable: the UI shows its own (translated) text per code; `message` is for logs and tests. */
  code: ServerProblemCode;
  /** `blocker`: as advertised, Agent Auth cannot work with this server; `limitation`: it works, with less. */
  severity: 'blocker' | 'limitation';
  /** A blocker the metadata may misstate (the server may do it without saying); the user may add the provider anyway. */
  overridable?: boolean;
  message: string;
}

export interface ServerAnalysis {
  /** What was entered, as discovery used it. */
  target: DiscoveryTarget;
  issuer: string;
  /** Authorization code grant with an authorization endpoint. */
  authorizationCode: boolean;
  pkceS256: Tristate;
  refreshTokens: Tristate;
  deviceFlow: boolean;
  revocation: boolean;
  problems: ServerProblem[];
  /** `unusable`: a blocker; `limited`: only limitations (e.g. no device flow); `ready`: nothing missing. */
  verdict: 'ready' | 'limited' | 'unusable';
  /** The flow the entry should use. */
  flow: ProviderConfig['flow'];
}

/**
 * Discovers `url` as an issuer, or else as a protected resource (RFC 9728), and analyses it.
 * Discovery errors (unreachable, not metadata, issuer mismatch) are thrown as they are.
 */
export async function analyzeServer(url: string, deps: DiscoveryDeps): Promise<ServerAnalysis> {
  let target: DiscoveryTarget = { issuer: url };
  let found: Awaited<ReturnType<typeof discoverServer>>;
  try {
    found = await discoverServer(target, deps);
  } catch (asIssuer) {
    // Not an authorization server: perhaps a resource that names one.
    if (!isAuthError(asIssuer, 'unsupported')) throw asIssuer;
    target = { resource: url };
    try {
      found = await discoverServer(target, deps);
    } catch (asResource) {
      throw new AuthError('unsupported', notAServerText(url, (asResource as Error).message), { cause: asResource });
    }
  }
  return analyzeMetadata(target, found.endpoints, found.advertised);
}

/** The pure part: facts and verdict from what the metadata says. */
export function analyzeMetadata(target: DiscoveryTarget, e: Endpoints, advertised: AdvertisedSupport): ServerAnalysis {
  const grants = advertised.grantTypes;
  // RFC 8414 §2: an omitted grant_types_supported means ["authorization_code", "implicit"].
  const lists = (g: string) => (grants ? grants.includes(g) : g === 'authorization_code');
  const methods = e.code_challenge_methods_supported;
  const pkceS256: Tristate = !methods ? 'notAdvertised' : methods.includes('S256') ? 'yes' : 'no';
  const authorizationCode = !!e.authorization_endpoint && lists('authorization_code');
  const deviceFlow = !!e.device_authorization_endpoint;
  const refreshTokens: Tristate = grants?.includes('refresh_token') ? 'yes' : 'notAdvertised';
  const browserWorks = authorizationCode && pkceS256 !== 'no';
  const problems: ServerProblem[] = [];

  if (!browserWorks && !deviceFlow) {
    problems.push({
      code: !authorizationCode ? 'noSignInMethod' : 'noPkceS256',
      severity: 'blocker',
      message: !authorizationCode ? noSignInMethodText : noPkceS256Text(methods ?? []),
    });
  } else if (!browserWorks) {
    problems.push({
      code: 'deviceOnly',
      severity: 'limitation',
      message: deviceOnlyText(authorizationCode),
    });
  }
  if (refreshTokens !== 'yes') {
    problems.push({
      code: 'noRefreshTokens',
      severity: 'blocker',
      overridable: true,
      message: noRefreshTokensText,
    });
  }
  if (browserWorks && pkceS256 === 'notAdvertised') {
    problems.push({
      code: 'pkceNotAdvertised',
      severity: 'limitation',
      message: pkceNotAdvertisedText,
    });
  }
  if (browserWorks && !deviceFlow) {
    problems.push({
      code: 'noDeviceFlow',
      severity: 'limitation',
      message: noDeviceFlowText,
    });
  }
  if (!e.revocation_endpoint) {
    problems.push({
      code: 'noRevocation',
      severity: 'limitation',
      message: noRevocationText,
    });
  }
  const verdict = problems.some((p) => p.severity === 'blocker') ? 'unusable' : problems.length ? 'limited' : 'ready';
  return {
    target,
    issuer: e.issuer,
    authorizationCode,
    pkceS256,
    refreshTokens,
    deviceFlow,
    revocation: !!e.revocation_endpoint,
    problems,
    verdict,
    flow: browserWorks && deviceFlow ? 'auto' : browserWorks ? 'authorizationCode' : 'deviceCode',
  };
}

/**
 * The provider entry for `agentAuth.providers`, validated with the same parser that reads the
 * setting (together with the existing entries, so the id is unique). Throws a `config` AuthError
 * naming the problem when the entry would be rejected.
 */
export function providerEntry(a: ServerAnalysis, clientId: string, existing: unknown[]): Record<string, unknown> {
  const url = new URL('issuer' in a.target ? a.target.issuer : a.target.resource);
  const taken = new Set(existing.map((p) => (p as { id?: unknown })?.id));
  const base =
    url.hostname
      .replace(/[^A-Za-z0-9.-]/g, '')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'provider';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  const entry: Record<string, unknown> = {
    id,
    label: url.host,
    ...('issuer' in a.target ? { issuer: a.target.issuer } : { resource: a.target.resource }),
    clientId: clientId.trim(),
    scopes: DEFAULT_SCOPES,
    flow: a.flow,
  };
  const { problems } = parseProviders([...existing, entry]);
  const mine = problems.find((p) => p.where.startsWith(`agentAuth.providers[${existing.length}]`));
  if (mine) throw new AuthError('config', invalidNewEntryText(mine.message));
  return entry;
}

/** Exactly what to register at the IdP for this entry (the UI words it). */
export interface Registration {
  clientType: 'public';
  /** Absent when the entry signs in with the device code only. */
  redirectUri?: string;
  grantTypes: string[];
  scopes: string[];
  clientId: string;
}

export function registrationFor(a: ServerAnalysis, entry: Record<string, unknown>): Registration {
  const code = a.flow !== 'deviceCode';
  return {
    clientType: 'public',
    redirectUri: code ? LOOPBACK_REDIRECT_URI : undefined,
    grantTypes: [...(code ? ['authorization_code'] : []), 'refresh_token', ...(a.deviceFlow ? [DEVICE_GRANT] : [])],
    scopes: entry.scopes as string[],
    clientId: String(entry.clientId),
  };
}
