/**
 * Every sentence the lifecycle layer says to a user, in one place: the text of SessionErrors and
 * of the log lines a user reads in the Agent Auth output. Logic builds none of them inline; it
 * calls these with the names and numbers they need. Ready for l10n: each is one function from
 * values to one whole sentence (no sentence is put together from parts elsewhere).
 *
 * Names: a provider or account is named as TokenService.nameOf does ("Acme", "Acme (acme@bob)"),
 * never by its internal lane id.
 */

// ---- errors the lifecycle hands to consumers ----------------------------------------------

export const notSignedInText = (name: string) => `Not signed in to ${name}. Run "Agent Auth: Sign In".`;

export const needsSignInText = (name: string, reason: string) =>
  `${name} needs you to sign in again (${reason}). Run "Agent Auth: Sign In".`;

// ---- tokens: TokenService, its cache and the refresh engine --------------------------------

// (end of tokens)

// ---- accounts ------------------------------------------------------------------------------

// (end of accounts)

// ---- sync: the lock, the generation marker, the window handoff -----------------------------

// (end of sync)

// ---- store, config, sign-in, revocation, consumers -----------------------------------------

// store: unreadable session entries (the user sees them as "unreadable session entries")

// Why a stored session or ledger is unreadable (in brackets in the lines below).
export const notJsonText = 'not JSON';
export const unknownVersionText = (version: unknown) => `unknown format version ${JSON.stringify(version)}`;
/** Why a stored session or ledger entry is not this provider's. */
export const otherProviderText = (providerId: string) => `it belongs to provider "${providerId}"`;

export const unreadableSessionText = (providerId: string, reason: string, key: string) =>
  `The stored session for "${providerId}" is unreadable (${reason}); kept it among the unreadable session entries as ${key}.`;

export const unreadableEntryRevokedText = (key: string, fingerprint: string | undefined) =>
  fingerprint
    ? `Unreadable session entry ${key}: revoked its refresh token ${fingerprint}.`
    : `Unreadable session entry ${key}: its server has no revocation endpoint.`;

export const unreadableEntryRevocationFailedText = (key: string, error: string) =>
  `Unreadable session entry ${key}: revoking its refresh token failed (${error}); deleting it anyway.`;

// config: problems of agentAuth.providers and agentAuth.refresh.* (the Problems view and
// notifications put "where" before them: `agentAuth.providers[1] ("acme") clientId is required`)

export const settingText = {
  absoluteUrl: 'must be an absolute URL',
  httpsOnly: 'must use https: (http: is accepted only for loopback hosts such as 127.0.0.1 or localhost)',
  noQueryOrFragment: 'must not contain a query or fragment',
  noUserInfo: 'must not contain a user name or password',
  resourceAbsoluteUri: 'each resource must be an absolute URI',
  resourceNoFragment: 'each resource must not contain a fragment (RFC 8707)',
  noControlCharacters: 'must not contain control characters',
  parameterSeconds: 'must be a whole number of seconds',
  parameterString: 'must be a string',
  parameterLength: 'must be 1-512 characters without control characters',
  wholeNumber: 'must be a whole number',
  portRange: 'must be between 1024 and 65535',
  redirectPath: 'must start with "/" and contain only URL path characters (no query or fragment)',
  scopeToken: 'each scope must be a non-empty token without spaces or quotes',
  required: 'is required',
  atLeastOneResource: 'must name at least one resource when present',
  atMostTenResources: 'must name at most 10 resources',
  gitHost: 'each git host must be a host name with an optional :port, without scheme or path',
  envVarName: 'must be a valid environment variable name',
  envVarReserved: 'names a variable that Agent Auth must not overwrite',
  providersNotArray: 'must be an array of provider objects',
  number: 'must be a number',
  remainingFraction: 'must be greater than 0 and at most 0.9',
  minSecondsBeforeExpiry: 'must be between 0 and 3600 seconds',
} as const;

/** `field`: the provider field to use instead (for scope, resource and audience). */
export const flowParameterText = (key: string, field: string | undefined) =>
  `"${key}" is set by Agent Auth's sign-in flow${field ? ` (use the provider's "${field}" field)` : ''} and cannot be overridden`;

export const parameterNotAllowedText = (key: string, allowed: readonly string[]) =>
  `"${key}" is not allowed; allowed are ${allowed.join(', ')}`;

export const clientSecretInSettingsText = (field: string) =>
  `has unknown field ${field}: a client secret never belongs in settings (they are plain text on disk); remove it and run "Agent Auth: Set Client Secret…"`;

export const allowedScopesMissingText = (missing: string[]) =>
  `allowedScopes must include every scope in "scopes" (missing ${missing.map((s) => `"${s}"`).join(', ')})`;

export const duplicateProviderIdText = (id: string) => `id "${id}" is already used by an earlier entry`;

export const issuerAndResourceText =
  'needs exactly one of "issuer" or "resource", not both (to also send RFC 8707 resource indicators with an issuer, use "resources")';

export const endpointsWithResourceText =
  '"endpoints" can only be combined with "issuer" (to override discovered endpoints) or stand alone; not with "resource"';

export const noServerText = 'needs exactly one of "issuer", "resource" or "endpoints" (for a server without discovery)';

export const endpointsMissingText = (missing: string[]) =>
  `endpoints without "issuer" needs ${missing.map((k) => `"${k}"`).join(' and ')} (no discovery fills ${missing.length === 1 ? 'it' : 'them'} in)`;

export const refreshDefaultText = (problem: string, fallback: number) => `${problem}; using the default ${fallback}`;

// config: Add Provider (the UI shows its own text per problem code; these are for logs and errors)

export const notAServerText = (url: string, error: string) =>
  `${url} is neither an authorization server with OpenID Connect or RFC 8414 metadata, nor a resource with RFC 9728 metadata (${error}).`;

export const noSignInMethodText =
  'The server offers neither the authorization code grant nor the device authorization grant, so there is no way to sign in.';

export const noPkceS256Text = (methods: string[]) =>
  `The server does not support PKCE with S256 (it lists ${methods.join(', ') || 'no method'}), which Agent Auth requires for the authorization code grant, and it has no device authorization grant.`;

export const deviceOnlyText = (authorizationCode: boolean) =>
  !authorizationCode
    ? 'The server has no authorization code grant: sign-in uses the device code only.'
    : 'The server does not support PKCE with S256: browser sign-in is impossible, sign-in uses the device code only.';

export const noRefreshTokensText =
  'The server does not advertise the refresh_token grant, and without refresh tokens Agent Auth cannot keep the token fresh: ' +
  'you would sign in again whenever it expires. Some servers (Glewlwyd, for one) issue refresh tokens without listing the grant.';

export const pkceNotAdvertisedText =
  'The server does not say whether it supports PKCE; Agent Auth sends S256 and fails clearly if it is refused.';

export const noDeviceFlowText =
  'The server has no device authorization grant: remote, web and code-server windows also sign in through the browser, which must reach this machine’s loopback address.';

export const noRevocationText =
  'The server has no revocation endpoint: signing out forgets the tokens here, and they stay valid at the server until they expire.';

export const invalidNewEntryText = (problem: string) => `The new entry would be invalid: ${problem}.`;

// sign-in

export const signingInText = (label: string, deviceCode: boolean) =>
  `Signing in to ${label} with the ${deviceCode ? 'device' : 'authorization code'} flow.`;

export const noDiscoveryText = (label: string) => `${label} has no discovery; using the configured endpoints.`;

export const flowFallbackText = (issuer: string, preferred: string, other: string) =>
  `${issuer} does not support the ${preferred} flow; using ${other} instead.`;

/** Names the setting in the error when the configured redirect port is taken. */
export const redirectPortSettingText = (providerId: string) =>
  `the "redirect.port" of provider "${providerId}" in agentAuth.providers`;

/** The account's label when the server's claims name none. */
export const defaultAccountLabel = (providerLabel: string) => `${providerLabel} account`;

export const missingClientSecretText = (providerId: string, method: string) =>
  `Provider "${providerId}" authenticates with a client secret (${method}), and none is stored. Run "Agent Auth: Set Client Secret…".`;

// revocation and its ledger

export const revokedText = (label: string, refresh: boolean) =>
  `Revoked the ${refresh ? 'refresh' : 'access'} token at ${label}.`;

export const noRevocationEndpointText = (label: string) => `${label} has no revocation endpoint; nothing to revoke.`;

export const revocationFailedText = (label: string, error: string) =>
  `Revocation at ${label} failed (${error}); the session is forgotten anyway.`;

export const forgottenNotRevokedText = (label: string, account: string) =>
  `${label}: the session of ${account} is forgotten, not revoked (another session of the same account may rest on its grant); its token is kept to revoke with the last one.`;

export const releaseFailedText = (label: string, error: string) =>
  `${label}: keeping or revoking the tokens of a signed-out session failed: ${error}`;

export const keptTokenRevocationFailedText = (account: string, label: string, error: string) =>
  `Revoking a kept token of ${account} at ${label} failed (${error}); it is kept for a later try.`;

export const mismatchText = (label: string, setting: string | undefined) =>
  `The stored ${label} session was made for another ${setting} than configured now; signing it out.`;

export const retireFailedText = (label: string, error: string) =>
  `Signing out the old ${label} session failed: ${error}`;

export const ledgerFullText = (providerId: string, dropped: number) =>
  `The revocation ledger of "${providerId}" is full; its ${dropped} oldest token${dropped > 1 ? 's stay' : ' stays'} valid at the server until ${dropped > 1 ? 'they expire' : 'it expires'}.`;

export const unreadableLedgerText = (providerId: string, reason: string, key: string) =>
  `The revocation ledger of "${providerId}" is unreadable (${reason}); kept it among the unreadable session entries as ${key}.`;

export const unreadableLedgerEntryText = (providerId: string, reason: string | undefined, key: string) =>
  `An entry of the revocation ledger of "${providerId}" is unreadable (${reason}); kept it among the unreadable session entries as ${key}.`;

// consumers: ID tokens and the MCP forwarder

export const idTokenExpiredText = (label: string) =>
  `the ID token of ${label} has expired and refreshing brought no new one. Run "Agent Auth: Sign In".`;

export const noIdTokenText = (label: string) =>
  `${label} issued no ID token. ID tokens come from OpenID Connect providers when the scopes include "openid"; use the access token instead, or add "openid" to the provider's scopes and sign in again.`;

export const idTokenNotJwtText = (label: string) => `the ID token of ${label} is not a JWT with an "exp" claim.`;

export const proxyText = {
  notAClient: 'not a client of this window',
  noSuchServer: 'no such MCP server',
  internalError: 'internal error',
  bodyTooLarge: 'request body too large',
} as const;

/** The error a client of the forwarder receives. */
export const proxyErrorText = (error: string) => `Agent Auth: ${error}`;

export const proxyRequestFailedText = (id: string, noToken: boolean, error: string) =>
  `MCP server "${id}": ${noToken ? 'no token' : 'request failed'}: ${error}`;

export const proxyRejectedLogText = (id: string) => `MCP server "${id}" rejected a freshly refreshed token (401).`;

export const proxyRejectedText = (providerId: string) =>
  `Agent Auth: the MCP server rejected a freshly refreshed token of provider "${providerId}".`;

export const proxyFailedText = (error: string) => `MCP forwarder: ${error}`;

// (end of store, config, sign-in, revocation, consumers)
