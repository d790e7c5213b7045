/**
 * src/protocol: OAuth 2 / OpenID Connect on the wire, free of VS Code and of any stored state.
 * Discovery (RFC 8414, OIDC, RFC 9728), the two sign-in flows (authorization code with PKCE over an
 * RFC 8252 loopback redirect; device code, RFC 8628), refresh and revocation, the bounded fetch
 * every request goes through, and the AuthError (with its user-facing sentences in messages.ts)
 * that every failure becomes. Also the shared grammars other layers validate settings with
 * (provider ids, account references, environment variable names) and serverText, which makes
 * server-sent text inert before anyone shows it.
 *
 * These re-exports are what the other folders (src/session, src/vscode, src/helper) use.
 */
export { authorizationCodeFlow } from './authorizationCode.js';
export { deviceCodeFlow, type UserCodePrompt } from './deviceCode.js';
export {
  type AdvertisedSupport,
  discover,
  discoverServer,
  type DiscoveryDeps,
  type DiscoveryTarget,
  explicitEndpoints,
  withOverrides,
} from './discovery.js';
export type { Endpoints } from './endpoints.js';
export { defaultEnvVar, ENV_VAR_NAME, OWN_ENV_VAR } from './envVars.js';
export { AuthError, type AuthErrorCode, isAuthError } from './errors.js';
export { boundedFetch, type FetchLike } from './http.js';
export {
  ACCOUNT_REF,
  ACCOUNT_REF_RULE,
  accountRefCandidates,
  parseAccountRef,
  PROVIDER_ID,
  PROVIDER_ID_RULE,
} from './ids.js';
export { fingerprint, type Logger } from './log.js';
export { NOTIFICATION_MAX, serverText } from './serverText.js';
export { type ClientContext, refreshTokens, revokeToken, type TokenSet } from './tokens.js';
export { isLoopbackHost, secureUrl } from './urls.js';
export { describeIssues } from './zodIssues.js';
