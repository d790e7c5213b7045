import * as z from 'zod/mini';
import { ENV_VAR_NAME, OWN_ENV_VAR } from '../../protocol/envVars.js';
import { PROVIDER_ID, PROVIDER_ID_RULE } from '../../protocol/ids.js';
import { isLoopbackHost } from '../../protocol/urls.js';
import { flowParameterText, parameterNotAllowedText, settingText as t } from '../messages.js';

/**
 * What a provider is: the zod schema of one `agentAuth.providers` entry, the types derived from it
 * (ProviderConfig is an entry with its defaults filled in), and the rules read off a provider
 * (which git hosts, scopes and resource indicators it has). Reading the setting and reporting its
 * problems is config.ts's.
 */

/** Variables an agent-auth token must never overwrite: they steer the shell or the loader (and ours, OWN_ENV_VAR). */
const RESERVED_ENV = /^(PATH|HOME|SHELL|USER|PWD|IFS|ENV|BASH_ENV|NODE_OPTIONS|LD_\w+|DYLD_\w+)$/;

const endpointUrl = z.string().check(
  z.refine((v) => URL.canParse(v), t.absoluteUrl),
  z.refine((v) => {
    if (!URL.canParse(v)) return true;
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  }, t.httpsOnly),
  z.refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), t.noQueryOrFragment),
  z.refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), t.noUserInfo),
);

/** RFC 8707 resource indicators and Auth0's `audience` are identifiers, not fetched: any absolute URI without a fragment. */
const resourceIndicator = z.string().check(
  z.maxLength(2048),
  z.refine((v) => URL.canParse(v), t.resourceAbsoluteUri),
  z.refine((v) => !URL.canParse(v) || !new URL(v).hash, t.resourceNoFragment),
);

/** Printable text without controls: the value ends up in a URL query and a form body. */
const parameterText = (max: number) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[^\x00-\x1f\x7f]*$/, t.noControlCharacters));

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

/** The provider field to use instead of a flow parameter, where there is one. */
const PARAMETER_FIELDS: Partial<Record<string, string>> = {
  scope: 'scopes',
  resource: 'resources',
  audience: 'audience',
};

const AuthorizationParametersSchema = z.record(z.string(), z.union([z.string(), z.number()])).check(
  z.superRefine((params, ctx) => {
    for (const [key, value] of Object.entries(params)) {
      const allowed = (ALLOWED_AUTHORIZATION_PARAMETERS as readonly string[]).includes(key);
      let message: string | undefined;
      if (FLOW_PARAMETERS.has(key)) {
        message = flowParameterText(key, PARAMETER_FIELDS[key]);
      } else if (!allowed) {
        message = parameterNotAllowedText(key, ALLOWED_AUTHORIZATION_PARAMETERS);
      } else if (
        key === 'max_age'
          ? !(Number.isInteger(Number(value)) && Number(value) >= 0 && String(value).trim() !== '')
          : typeof value !== 'string'
      ) {
        message = key === 'max_age' ? t.parameterSeconds : t.parameterString;
      } else if (typeof value === 'string' && (!value.length || value.length > 512 || /[\x00-\x1f\x7f]/.test(value))) {
        message = t.parameterLength;
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
  port: z.optional(z.number().check(z.int(t.wholeNumber), z.minimum(1024, t.portRange), z.maximum(65535, t.portRange))),
  path: z.optional(z.string().check(z.regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,255}$/, t.redirectPath))),
});

export const CLIENT_AUTHENTICATION_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

/** RFC 6749 scope-token: printable ASCII without spaces, `"` or `\`. */
const scopeToken = z.string().check(z.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, t.scopeToken));

export const ProviderSchema = z.object({
  id: z.string().check(z.regex(PROVIDER_ID, PROVIDER_ID_RULE)),
  label: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  issuer: z.optional(endpointUrl),
  resource: z.optional(endpointUrl),
  clientId: z.string().check(z.minLength(1, t.required), z.maxLength(256)),
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
      z.refine((a) => !Array.isArray(a) || a.length >= 1, t.atLeastOneResource),
      z.refine((a) => !Array.isArray(a) || a.length <= 10, t.atMostTenResources),
    ),
  ),
  /** Allowlisted extra authorization-request parameters. */
  authorizationParameters: z.optional(AuthorizationParametersSchema),
  redirect: z.optional(RedirectSchema),
  /** Hosts (host[:port], lower case) whose git HTTPS remotes get this provider's token; see gitHostsOf. */
  gitHosts: z.optional(
    z.array(z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, t.gitHost))),
  ),
  envVar: z.optional(
    z.string().check(
      z.regex(ENV_VAR_NAME, t.envVarName),
      z.refine((v) => !RESERVED_ENV.test(v) && !OWN_ENV_VAR.test(v), t.envVarReserved),
    ),
  ),
});

/** The fields a provider entry may have: package.json's schema (additionalProperties false) must list exactly these. */
export const PROVIDER_FIELDS = Object.keys(ProviderSchema.shape);

/** One valid `agentAuth.providers` entry, as the setting holds it. */
export type ProviderEntry = z.infer<typeof ProviderSchema>;

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
