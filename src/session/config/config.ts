import * as z from 'zod/mini';
import { defaultEnvVar, ENV_VAR_NAME, OWN_ENV_VAR } from '../../protocol/envVars.js';
import { PROVIDER_ID, PROVIDER_ID_RULE } from '../../protocol/ids.js';
import { isLoopbackHost } from '../../protocol/urls.js';
import { describeIssues } from '../../protocol/zodIssues.js';

/**
 * `agentAuth.providers` entries and `agentAuth.refresh.*` settings. Each invalid provider is
 * reported (which entry, which field, why) and skipped; the valid ones still load.
 */

/** Variables an agent-auth token must never overwrite: they steer the shell or the loader (and ours, OWN_ENV_VAR). */
const RESERVED_ENV = /^(PATH|HOME|SHELL|USER|PWD|IFS|ENV|BASH_ENV|NODE_OPTIONS|LD_\w+|DYLD_\w+)$/;

const endpointUrl = z.string().check(
  z.refine((v) => URL.canParse(v), 'must be an absolute URL'),
  z.refine((v) => {
    if (!URL.canParse(v)) return true;
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  }, 'must use https: (http: is accepted only for loopback hosts such as 127.0.0.1 or localhost)'),
  z.refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), 'must not contain a query or fragment'),
  z.refine(
    (v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password),
    'must not contain a user name or password',
  ),
);

/** RFC 8707 resource indicators and Auth0's `audience` are identifiers, not fetched: any absolute URI without a fragment. */
const resourceIndicator = z.string().check(
  z.maxLength(2048),
  z.refine((v) => URL.canParse(v), 'each resource must be an absolute URI'),
  z.refine((v) => !URL.canParse(v) || !new URL(v).hash, 'each resource must not contain a fragment (RFC 8707)'),
);

/** Printable text without controls: the value ends up in a URL query and a form body. */
const parameterText = (max: number) =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(max), z.regex(/^[^\x00-\x1f\x7f]*$/, 'must not contain control characters'));

/** Authorization-request parameters a provider entry may add; every other one is the flow's to set or unknown. */
export const ALLOWED_AUTHORIZATION_PARAMETERS = [
  'prompt',
  'login_hint',
  'domain_hint',
  'acr_values',
  'max_age',
  'ui_locales',
  'organization',
] as const;
/** Parameters the flow sets itself; an entry naming one would break PKCE, state, the redirect or the grant. */
const FLOW_PARAMETERS = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'audience',
  'nonce',
  'response_mode',
  'request',
  'request_uri',
  'client_secret',
  'code_verifier',
  'grant_type',
]);

const AuthorizationParametersSchema = z.record(z.string(), z.union([z.string(), z.number()])).check(
  z.superRefine((params, ctx) => {
    for (const [key, value] of Object.entries(params)) {
      const allowed = (ALLOWED_AUTHORIZATION_PARAMETERS as readonly string[]).includes(key);
      let message: string | undefined;
      if (FLOW_PARAMETERS.has(key)) {
        message = `"${key}" is set by Agent Auth's sign-in flow${key === 'scope' || key === 'resource' || key === 'audience' ? ` (use the provider's "${key === 'scope' ? 'scopes' : key === 'resource' ? 'resources' : 'audience'}" field)` : ''} and cannot be overridden`;
      } else if (!allowed) {
        message = `"${key}" is not allowed; allowed are ${ALLOWED_AUTHORIZATION_PARAMETERS.join(', ')}`;
      } else if (
        key === 'max_age'
          ? !(Number.isInteger(Number(value)) && Number(value) >= 0 && String(value).trim() !== '')
          : typeof value !== 'string'
      ) {
        message = key === 'max_age' ? 'must be a whole number of seconds' : 'must be a string';
      } else if (typeof value === 'string' && (!value.length || value.length > 512 || /[\x00-\x1f\x7f]/.test(value))) {
        message = 'must be 1-512 characters without control characters';
      }
      if (message) ctx.issues.push({ code: 'custom', message, input: value, path: [key] });
    }
  }),
);

const EndpointsSchema = z.strictObject({
  authorization: z.optional(endpointUrl),
  token: z.optional(endpointUrl),
  deviceAuthorization: z.optional(endpointUrl),
  revocation: z.optional(endpointUrl),
  userinfo: z.optional(endpointUrl),
});

export const REDIRECT_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;

const RedirectSchema = z.strictObject({
  host: z.enum(REDIRECT_HOSTS),
  port: z.optional(
    z
      .number()
      .check(
        z.int('must be a whole number'),
        z.minimum(1024, 'must be between 1024 and 65535'),
        z.maximum(65535, 'must be between 1024 and 65535'),
      ),
  ),
  path: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^\/[A-Za-z0-9._~!$&'()*+,;=:@%\/-]{0,255}$/,
          'must start with "/" and contain only URL path characters (no query or fragment)',
        ),
      ),
  ),
});

export const CLIENT_AUTHENTICATION_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

/** RFC 6749 scope-token: printable ASCII without spaces, `"` or `\`. */
const scopeToken = z
  .string()
  .check(z.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'each scope must be a non-empty token without spaces or quotes'));

const ProviderSchema = z.object({
  id: z.string().check(z.regex(PROVIDER_ID, PROVIDER_ID_RULE)),
  label: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  issuer: z.optional(endpointUrl),
  resource: z.optional(endpointUrl),
  clientId: z.string().check(z.minLength(1, 'is required'), z.maxLength(256)),
  scopes: z.optional(z.array(scopeToken)),
  /** What getSession callers may ask for beyond `scopes` (a session per scope set); see allowedScopesOf. */
  allowedScopes: z.optional(z.array(scopeToken)),
  flow: z.optional(z.enum(['auto', 'authorizationCode', 'deviceCode'])),
  /** Without `issuer`: the whole server (authorization and token at least). With `issuer`: overrides of discovered endpoints. */
  endpoints: z.optional(EndpointsSchema),
  /** How the client authenticates at the token and revocation endpoints; absent means `none` (a public client). */
  clientAuthentication: z.optional(z.enum(CLIENT_AUTHENTICATION_METHODS)),
  /** Auth0's `audience`, sent on the authorization request and every token request. */
  audience: z.optional(parameterText(2048)),
  /** RFC 8707 resource indicators sent on the authorization request and every token request (`resource` first, when set). */
  resources: z.optional(
    z.array(resourceIndicator).check(
      // Length checks would also run on a wrongly typed value and add noise to its message.
      z.refine((a) => !Array.isArray(a) || a.length >= 1, 'must name at least one resource when present'),
      z.refine((a) => !Array.isArray(a) || a.length <= 10, 'must name at most 10 resources'),
    ),
  ),
  /** Allowlisted extra authorization-request parameters. */
  authorizationParameters: z.optional(AuthorizationParametersSchema),
  redirect: z.optional(RedirectSchema),
  /** Hosts (host[:port], lower case) whose git HTTPS remotes get this provider's token; see gitHostsOf. */
  gitHosts: z.optional(
    z.array(
      z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/,
            'each git host must be a host name with an optional :port, without scheme or path',
          ),
        ),
    ),
  ),
  envVar: z.optional(
    z.string().check(
      z.regex(ENV_VAR_NAME, 'must be a valid environment variable name'),
      z.refine(
        (v) => !RESERVED_ENV.test(v) && !OWN_ENV_VAR.test(v),
        'names a variable that Agent Auth must not overwrite',
      ),
    ),
  ),
});

/** The fields a provider entry may have: package.json's schema (additionalProperties false) must list exactly these. */
export const PROVIDER_FIELDS = Object.keys(ProviderSchema.shape);

/** One valid `agentAuth.providers` entry, as the setting holds it. */
type ProviderEntry = z.infer<typeof ProviderSchema>;

/**
 * A provider as the lifecycle uses it: a valid entry after parseProviders filled in its defaults
 * (`label`, `scopes`, `flow`, `envVar`) and made its authorization parameters strings.
 */
export type ProviderConfig = Omit<ProviderEntry, 'label' | 'scopes' | 'flow' | 'envVar' | 'authorizationParameters'> &
  Required<Pick<ProviderEntry, 'label' | 'scopes' | 'flow' | 'envVar'>> & {
    authorizationParameters?: Record<string, string>;
    /** Set on a further account's lane (see accounts/), never in settings: the configured provider's id; `id` is then the lane's. */
    laneOf?: string;
  };

export type ClientAuthenticationMethod = (typeof CLIENT_AUTHENTICATION_METHODS)[number];

export type ProviderEndpoints = z.infer<typeof EndpointsSchema>;

export type RedirectConfig = z.infer<typeof RedirectSchema>;

/**
 * The hosts git may send this provider's token to: `gitHosts` when configured, else the hosts of
 * the issuer, the resource or (without either) the authorization endpoint. The one definition used by the helper's git-credential mode and the
 * git extension's credentials provider.
 */
export function gitHostsOf(p: ProviderConfig): string[] {
  if (p.gitHosts) return p.gitHosts;
  // Without discovery the authorization endpoint's host is the server's (github.com for a GitHub App).
  return [p.issuer ?? p.resource ?? p.endpoints?.authorization]
    .filter((u): u is string => !!u)
    .map((u) => new URL(u).host.toLowerCase());
}

/** The scopes a caller may ask for: `allowedScopes` (which includes `scopes`), by default `scopes`. */
export function allowedScopesOf(p: Pick<ProviderConfig, 'scopes' | 'allowedScopes'>): string[] {
  return p.allowedScopes ?? p.scopes;
}

/** The RFC 8707 resource indicators a provider sends: its `resource` first, then `resources`, each once. */
export function resourcesOf(p: Pick<ProviderConfig, 'resource' | 'resources'>): string[] | undefined {
  const all = [...new Set([p.resource, ...(p.resources ?? [])].filter((r): r is string => !!r))];
  return all.length ? all : undefined;
}

export const DEFAULT_SCOPES = ['openid', 'offline_access'];

export interface ConfigProblem {
  /** e.g. `agentAuth.providers[1] ("acme")` */
  where: string;
  message: string;
}

export function parseProviders(raw: unknown): { providers: ProviderConfig[]; problems: ConfigProblem[] } {
  const providers: ProviderConfig[] = [];
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { providers, problems };
  if (!Array.isArray(raw)) {
    return { providers, problems: [{ where: 'agentAuth.providers', message: 'must be an array of provider objects' }] };
  }
  raw.forEach((entry, i) => {
    const id = typeof entry?.id === 'string' ? ` ("${entry.id}")` : '';
    const where = `agentAuth.providers[${i}]${id}`;
    const secretField =
      entry && typeof entry === 'object' ? Object.keys(entry).find((k) => /^client_?secret$/i.test(k)) : undefined;
    if (secretField) {
      problems.push({
        where,
        message: `has unknown field ${secretField}: a client secret never belongs in settings (they are plain text on disk); remove it and run "Agent Auth: Set Client Secret…"`,
      });
      return;
    }
    const r = ProviderSchema.safeParse(entry);
    if (!r.success) {
      problems.push({ where, message: describeIssues(r.error.issues, entry, 'entry') });
      return;
    }
    const p = r.data;
    const server = serverProblem(p);
    if (server) {
      problems.push({ where, message: server });
      return;
    }
    const scopes = p.scopes?.length ? p.scopes : DEFAULT_SCOPES;
    const notAllowed = p.allowedScopes && scopes.filter((s) => !p.allowedScopes!.includes(s));
    if (notAllowed?.length) {
      problems.push({
        where,
        message: `allowedScopes must include every scope in "scopes" (missing ${notAllowed.map((s) => `"${s}"`).join(', ')})`,
      });
      return;
    }
    if (providers.some((q) => q.id === p.id)) {
      problems.push({ where, message: `id "${p.id}" is already used by an earlier entry` });
      return;
    }
    providers.push({
      id: p.id,
      label: p.label ?? p.id,
      issuer: p.issuer,
      resource: p.resource,
      clientId: p.clientId,
      scopes,
      allowedScopes: [...new Set([...scopes, ...(p.allowedScopes ?? [])])],
      flow: p.flow ?? 'auto',
      ...(p.clientAuthentication &&
        p.clientAuthentication !== 'none' && { clientAuthentication: p.clientAuthentication }),
      ...(p.endpoints && { endpoints: p.endpoints }),
      ...(p.audience && { audience: p.audience }),
      ...(p.resources && { resources: p.resources }),
      ...(p.authorizationParameters && {
        authorizationParameters: Object.fromEntries(
          Object.entries(p.authorizationParameters).map(([k, v]) => [k, String(v).trim()]),
        ),
      }),
      ...(p.redirect && { redirect: p.redirect }),
      ...(p.gitHosts && { gitHosts: p.gitHosts.map((h) => h.toLowerCase()) }),
      envVar: p.envVar ?? defaultEnvVar(p.id),
    });
  });
  return { providers, problems };
}

/**
 * Where the server's endpoints come from: exactly one of `issuer` (discovery; `endpoints` may
 * override single fields), `resource` (RFC 9728 discovery) or `endpoints` alone (no discovery:
 * then `authorization` and `token` are required).
 */
function serverProblem(p: Pick<ProviderEntry, 'issuer' | 'resource' | 'endpoints'>): string | undefined {
  if (p.issuer && p.resource)
    return 'needs exactly one of "issuer" or "resource", not both (to also send RFC 8707 resource indicators with an issuer, use "resources")';
  if (p.resource && p.endpoints)
    return '"endpoints" can only be combined with "issuer" (to override discovered endpoints) or stand alone; not with "resource"';
  if (p.issuer || p.resource) return undefined;
  if (!p.endpoints) return 'needs exactly one of "issuer", "resource" or "endpoints" (for a server without discovery)';
  const missing = (['authorization', 'token'] as const).filter((k) => !p.endpoints![k]);
  if (missing.length)
    return `endpoints without "issuer" needs ${missing.map((k) => `"${k}"`).join(' and ')} (no discovery fills ${missing.length === 1 ? 'it' : 'them'} in)`;
  return undefined;
}

/** When to refresh proactively: at `remainingFraction` of the lifetime left, but at least `minSecondsBeforeExpiry` before. */
const RefreshSchema = z.object({
  remainingFraction: z.number().check(
    z.refine(Number.isFinite, 'must be a number'),
    z.refine((n) => n > 0 && n <= 0.9, 'must be greater than 0 and at most 0.9'),
  ),
  minSecondsBeforeExpiry: z.number().check(
    z.refine(Number.isFinite, 'must be a number'),
    z.refine((n) => n >= 0 && n <= 3600, 'must be between 0 and 3600 seconds'),
  ),
});

export type RefreshSettings = z.infer<typeof RefreshSchema>;

export const DEFAULT_REFRESH: RefreshSettings = { remainingFraction: 0.25, minSecondsBeforeExpiry: 60 };

export function parseRefreshSettings(raw: Partial<Record<keyof RefreshSettings, unknown>>): {
  settings: RefreshSettings;
  problems: ConfigProblem[];
} {
  const settings = { ...DEFAULT_REFRESH };
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(RefreshSchema.shape) as (keyof RefreshSettings)[]) {
    if (raw[key] === undefined) continue;
    const r = RefreshSchema.shape[key].safeParse(raw[key]);
    if (r.success) settings[key] = r.data;
    else
      problems.push({
        where: `agentAuth.refresh.${key}`,
        message: `${describeIssues(r.error.issues, raw[key])}; using the default ${DEFAULT_REFRESH[key]}`,
      });
  }
  return { settings, problems };
}
