import * as z from 'zod/mini';
import { isLoopbackHost } from '../protocol/urls.js';
import { describeIssues } from '../protocol/zodIssues.js';

/**
 * `agentAuth.providers` entries and `agentAuth.refresh.*` settings. Each invalid provider is
 * reported (which entry, which field, why) and skipped; the valid ones still load.
 */

/** Variables an agent-auth token must never overwrite: they steer the shell, the loader or us. */
const RESERVED_ENV = /^(PATH|HOME|SHELL|USER|PWD|IFS|ENV|BASH_ENV|NODE_OPTIONS|LD_\w+|DYLD_\w+|AGENT_AUTH_\w+)$/;

const endpointUrl = z.string().check(
  z.refine((v) => URL.canParse(v), 'must be an absolute URL'),
  z.refine((v) => {
    if (!URL.canParse(v)) return true;
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  }, 'must use https: (http: is accepted only for loopback hosts such as 127.0.0.1 or localhost)'),
  z.refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), 'must not contain a query or fragment'),
  z.refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), 'must not contain a user name or password'),
);

const ProviderSchema = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')),
  label: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  issuer: z.optional(endpointUrl),
  resource: z.optional(endpointUrl),
  clientId: z.string().check(z.minLength(1, 'is required'), z.maxLength(256)),
  scopes: z.optional(z.array(z.string().check(z.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'each scope must be a non-empty token without spaces or quotes')))),
  flow: z.optional(z.enum(['auto', 'authorizationCode', 'deviceCode'])),
  gitHosts: z.optional(
    z.array(z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, 'each git host must be a host name with an optional :port, without scheme or path'))),
  ),
  envVar: z.optional(
    z.string().check(
      z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a valid environment variable name'),
      z.refine((v) => !RESERVED_ENV.test(v), 'names a variable that Agent Auth must not overwrite'),
    ),
  ),
});

export interface ProviderConfig {
  id: string;
  label: string;
  issuer?: string;
  resource?: string;
  clientId: string;
  scopes: string[];
  flow: 'auto' | 'authorizationCode' | 'deviceCode';
  envVar: string;
  /** Hosts (host[:port], lower case) whose git HTTPS remotes get this provider's token; see gitHostsOf. */
  gitHosts?: string[];
}

/**
 * The hosts git may send this provider's token to: `gitHosts` when configured, else the hosts of
 * the issuer and the resource. The one definition used by the helper's git-credential mode and the
 * git extension's credentials provider.
 */
export function gitHostsOf(p: ProviderConfig): string[] {
  if (p.gitHosts) return p.gitHosts;
  return [p.issuer, p.resource].filter((u): u is string => !!u).map((u) => new URL(u).host.toLowerCase());
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
    const r = ProviderSchema.safeParse(entry);
    if (!r.success) {
      problems.push({ where, message: describeIssues(r.error.issues, entry, 'entry') });
      return;
    }
    const p = r.data;
    if (!p.issuer === !p.resource) {
      problems.push({ where, message: 'needs exactly one of "issuer" or "resource"' });
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
      scopes: p.scopes?.length ? p.scopes : DEFAULT_SCOPES,
      flow: p.flow ?? 'auto',
      ...(p.gitHosts && { gitHosts: p.gitHosts.map((h) => h.toLowerCase()) }),
      envVar: p.envVar ?? `${p.id.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_TOKEN`,
    });
  });
  return { providers, problems };
}

/** When to refresh proactively: at `remainingFraction` of the lifetime left, but at least `minSecondsBeforeExpiry` before. */
export interface RefreshSettings {
  remainingFraction: number;
  minSecondsBeforeExpiry: number;
}

export const DEFAULT_REFRESH: RefreshSettings = { remainingFraction: 0.25, minSecondsBeforeExpiry: 60 };

const RefreshSchema = {
  remainingFraction: z.number().check(
    z.refine(Number.isFinite, 'must be a number'),
    z.refine((n) => n > 0 && n <= 0.9, 'must be greater than 0 and at most 0.9'),
  ),
  minSecondsBeforeExpiry: z.number().check(
    z.refine(Number.isFinite, 'must be a number'),
    z.refine((n) => n >= 0 && n <= 3600, 'must be between 0 and 3600 seconds'),
  ),
};

export function parseRefreshSettings(raw: Partial<Record<keyof RefreshSettings, unknown>>): {
  settings: RefreshSettings;
  problems: ConfigProblem[];
} {
  const settings = { ...DEFAULT_REFRESH };
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(RefreshSchema) as (keyof RefreshSettings)[]) {
    if (raw[key] === undefined) continue;
    const r = RefreshSchema[key].safeParse(raw[key]);
    if (r.success) settings[key] = r.data;
    else problems.push({ where: `agentAuth.refresh.${key}`, message: `${describeIssues(r.error.issues, raw[key])}; using the default ${DEFAULT_REFRESH[key]}` });
  }
  return { settings, problems };
}
