/**
 * config/: what a provider is and what the settings say. The zod schema of an
 * `agentAuth.providers` entry, the types derived from it and the rules read off a provider
 * (providerSchema.ts); reading `agentAuth.providers` and `agentAuth.refresh.*` into providers,
 * refresh settings and problems a user can act on (config.ts); whether a stored session still fits
 * its provider's settings (sessionMatches.ts); the minimum validity of a token handed out
 * (validity.ts); and the "Add Provider" analysis of a server, without UI (addProvider.ts).
 *
 * Re-exports what other folders, the façade, vscode/ and tests use.
 */
export {
  ALLOWED_AUTHORIZATION_PARAMETERS,
  allowedScopesOf,
  type ClientAuthenticationMethod,
  DEFAULT_SCOPES,
  gitHostsOf,
  PROVIDER_FIELDS,
  type ProviderConfig,
  resourcesOf,
} from './providerSchema.js';
export {
  type ConfigProblem,
  DEFAULT_REFRESH,
  parseProviders,
  parseRefreshSettings,
  type RefreshSettings,
} from './config.js';
export { sessionMatches, sessionMismatch } from './sessionMatches.js';
export { atMostHalfLifetime, DEFAULT_MIN_VALIDITY_S, MIN_VALIDITY_S } from './validity.js';
export {
  analyzeMetadata,
  analyzeServer,
  DEVICE_GRANT,
  providerEntry,
  registrationFor,
  type ServerAnalysis,
  type ServerProblemCode,
} from './addProvider.js';
