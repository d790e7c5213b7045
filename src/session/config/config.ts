import * as z from 'zod/mini';
import { defaultEnvVar } from '../../protocol/envVars.js';
import { describeIssues } from '../../protocol/zodIssues.js';
import {
  allowedScopesMissingText,
  clientSecretInSettingsText,
  duplicateProviderIdText,
  endpointsMissingText,
  endpointsWithResourceText,
  issuerAndResourceText,
  noServerText,
  refreshDefaultText,
  settingText as t,
} from '../messages.js';
import { DEFAULT_SCOPES, type ProviderConfig, type ProviderEntry, ProviderSchema } from './providerSchema.js';

/**
 * Reading the settings: `agentAuth.providers` entries and `agentAuth.refresh.*`. Each invalid
 * provider is reported (which entry, which field, why) and skipped; the valid ones still load,
 * with their defaults filled in. What a provider entry may hold is providerSchema.ts's.
 */

// What modules that import the provider's types and rules from here use (config/index.ts exports them too).
export {
  ALLOWED_AUTHORIZATION_PARAMETERS,
  allowedScopesOf,
  type ClientAuthenticationMethod,
  gitHostsOf,
  PROVIDER_FIELDS,
  type ProviderConfig,
  resourcesOf,
} from './providerSchema.js';

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
    return { providers, problems: [{ where: 'agentAuth.providers', message: t.providersNotArray }] };
  }
  (raw as unknown[]).forEach((entry, i) => {
    const fields = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : undefined;
    const id = typeof fields?.id === 'string' ? ` ("${fields.id}")` : '';
    const where = `agentAuth.providers[${i}]${id}`;
    const secretField = fields && Object.keys(fields).find((k) => /^client_?secret$/i.test(k));
    if (secretField) {
      problems.push({ where, message: clientSecretInSettingsText(secretField) });
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
    const allowed = p.allowedScopes;
    const notAllowed = allowed && scopes.filter((s) => !allowed.includes(s));
    if (notAllowed?.length) {
      problems.push({ where, message: allowedScopesMissingText(notAllowed) });
      return;
    }
    if (providers.some((q) => q.id === p.id)) {
      problems.push({ where, message: duplicateProviderIdText(p.id) });
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
  if (p.issuer && p.resource) return issuerAndResourceText;
  if (p.resource && p.endpoints) return endpointsWithResourceText;
  if (p.issuer || p.resource) return undefined;
  if (!p.endpoints) return noServerText;
  const endpoints = p.endpoints;
  const missing = (['authorization', 'token'] as const).filter((k) => !endpoints[k]);
  if (missing.length) return endpointsMissingText(missing);
  return undefined;
}

/** When to refresh proactively: at `remainingFraction` of the lifetime left, but at least `minSecondsBeforeExpiry` before. */
const RefreshSchema = z.object({
  remainingFraction: z.number().check(
    z.refine(Number.isFinite, t.number),
    z.refine((n) => n > 0 && n <= 0.9, t.remainingFraction),
  ),
  minSecondsBeforeExpiry: z.number().check(
    z.refine(Number.isFinite, t.number),
    z.refine((n) => n >= 0 && n <= 3600, t.minSecondsBeforeExpiry),
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
        message: refreshDefaultText(describeIssues(r.error.issues, raw[key]), DEFAULT_REFRESH[key]),
      });
  }
  return { settings, problems };
}
