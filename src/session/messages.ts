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

/** A reference or provider id that names no configured provider. */
export const unknownProviderText = (providerId: string) =>
  `No provider "${providerId}" is configured in agentAuth.providers.`;

// ---- tokens: TokenService, its cache and the refresh engine --------------------------------

/** The reason in needsSignInText when a session has no refresh token (the server issued none, or it died). */
export const noRefreshTokenReason = 'the server issued no refresh token';

/** A caller's wait for a refresh ran out; `lastFailure` is the last attempt's error, when it failed. */
export const waitTimeoutText = (name: string, seconds: number, lastFailure: string | undefined) =>
  lastFailure === undefined
    ? `Refreshing the ${name} token took longer than ${seconds} s; it goes on in the background.`
    : `Refreshing the ${name} token took longer than ${seconds} s; it goes on in the background. The last attempt failed: ${lastFailure}`;

/** The token in hand is still valid while its refresh is slow or (with `failure`) failing. */
export const handingOutCurrentText = (name: string, failure: string | undefined, validUntil: number) =>
  failure === undefined
    ? `Refresh of ${name} is slow; handing out the current token (valid until ${new Date(validUntil).toISOString()}) and refreshing in the background.`
    : `Refresh of ${name} is failing (${failure}); handing out the current token (valid until ${new Date(validUntil).toISOString()}) and refreshing in the background.`;

export const signedInText = (provider: string, account: string, tokenFingerprint: string, validUntil: number) =>
  `Signed in to ${provider} as ${account}; token ${tokenFingerprint} valid until ${new Date(validUntil).toISOString()}.`;

export const signedOutText = (name: string) => `Signed out of ${name}.`;

export const refreshRetryText = (name: string, failure: string, waitMs: number) =>
  `Refresh of ${name} failed (${failure}); retrying in ${Math.round(waitMs)} ms.`;

export const refreshFailedText = (name: string, failure: string, nextAttemptAt: number) =>
  `Refresh of ${name} failed: ${failure} Next attempt at ${new Date(nextAttemptAt).toISOString()}.`;

export const refreshedElsewhereText = (name: string, generation: number) =>
  `${name} was refreshed by another window (generation ${generation}); using its tokens.`;

/** A stored session that could not be parsed; the store keeps it apart as an unreadable entry. */
export const corruptSessionText = (name: string, reason: string) =>
  `The stored ${name} session could not be read (${reason}). It was kept as an unreadable entry; sign in again.`;

export const readSessionFailedText = (name: string, failure: string) =>
  `Reading the session of ${name} failed: ${failure}`;

export const loadSessionFailedText = (name: string, err: unknown) =>
  `Reading the stored session of ${name} failed: ${err instanceof Error ? err.message : String(err)}`;

export const listenerFailedText = (failure: string) => `A token change listener failed: ${failure}`;

// (end of tokens)

// ---- accounts ------------------------------------------------------------------------------

/**
 * `known`: the signed-in accounts as a list (`alice@example.com, Bob Smith (acme@u-4711)`);
 * `example`: the label of one that matched.
 */
export const ambiguousAccountText = (
  account: string,
  providerLabel: string,
  known: string,
  providerId: string,
  example: string,
) =>
  `"${account}" matches several ${providerLabel} accounts (${known}); name one in full, e.g. ${providerId}@${example}.`;

export const noSuchAccountText = (providerLabel: string, account: string, known: string, providerId: string) =>
  `${providerLabel} has no account "${account}"; signed in: ${known} (name one as ${providerId}@<account>).`;

export const noAccountSignedInText = (providerLabel: string, account: string) =>
  `${providerLabel} has no account "${account}": no account is signed in. Run "Agent Auth: Sign In".`;

/** Choosing a default account that is signed out meanwhile. */
export const noSuchAccountToChooseText = (providerLabel: string) => `No such account of ${providerLabel} is signed in.`;

export const scopesNotAllowedText = (providerLabel: string, outside: string[], allowed: string[]) =>
  `${providerLabel} does not allow the scope${outside.length > 1 ? 's' : ''} ${outside.join(', ')} (its allowedScopes: ${allowed.join(' ')}).`;

/**
 * A sign-in again as `meant` (reached as `meantRef`) brought `got`, which another account of the
 * provider holds (reached as `held`).
 */
export const signedInAnotherAccountText = (
  providerLabel: string,
  meant: string,
  meantRef: string,
  got: string,
  held: string,
) =>
  `Signing in to ${providerLabel} again as ${meant} (${meantRef}) signed in ${got} instead, which is already signed in as ${held}; kept that one and dropped this sign-in. Sign in again and choose ${meant} at ${providerLabel} (or sign out of ${got} in the browser first).`;

export const accountAlreadyHeldText = (providerLabel: string, got: string, held: string) =>
  `${providerLabel} signed in ${got}, which is already signed in as ${held}; kept that one and dropped this sign-in.`;

// log lines

export const secondSignInDroppedText = (providerLabel: string, account: string) =>
  `${providerLabel}: already signed in as ${account}; the second sign-in was dropped.`;

export const accountFromAnotherWindowText = (providerLabel: string) =>
  `Another window added an account to ${providerLabel}; registering it here.`;

export const recordingAccountFailedText = (providerLabel: string, reason: string) =>
  `Recording the new account of ${providerLabel}: ${reason}`;

export const scopeSetNoLongerAllowedText = (providerLabel: string, outside: string[]) =>
  `${providerLabel}: allowedScopes no longer include ${outside.join(' ')}; signing out the session made for that scope set.`;

export const scopeSetSignOutFailedText = (providerLabel: string, reason: string) =>
  `Signing out the ${providerLabel} session for a scope set no longer allowed: ${reason}`;

export const accountIndexUnreadableText = (providerId: string) =>
  `The account list of "${providerId}" is unreadable; starting a new one.`;

export const accountListenerFailedText = (reason: string) => `An account listener failed: ${reason}`;

// (end of accounts)

// ---- sync: the lock, the generation marker, the window handoff -----------------------------

// The refresh lock (sync/refreshLock.ts). `name` is the lock's name as the lock knows it.
export const lockLostText = (name: string, why: string) =>
  `Refresh lock for "${name}" was lost (${why}); abandoning this refresh.`;

export const lockFolderNotPlainText = (dir: string) =>
  `Lock folder ${dir} is not a plain folder (symlink?); refusing to use it.`;

export const lockFolderNotOursText = (dir: string) => `Lock folder ${dir} belongs to another user; refusing to use it.`;

// Cross-window sync (sync/crossWindow.ts). `name` is a provider or account in words.
export const handOverFailedText = (name: string, why: string) =>
  `Handing the session of ${name} to other windows failed: ${why}`;

export const waitingForRedemptionText = (name: string, generation: number) =>
  `Another process is redeeming the refresh token of ${name} (generation ${generation}); waiting for its result.`;

/** `had`: the generation this window's SecretStorage held, undefined when it had no entry. */
export const tookFromWindowText = (name: string, generation: number, had: number | undefined) =>
  had === undefined
    ? `Took generation ${generation} of ${name} from another window; this window's SecretStorage had no entry.`
    : `Took generation ${generation} of ${name} from another window; this window's SecretStorage had generation ${had}.`;

export const propagationTimeoutText = () =>
  'Another window refreshed the token, but its result has not reached this window, and no open window could hand it over.';

// Following other windows (sync/peerFollower.ts).
export const askPeersFailedText = (name: string, why: string) => `Asking other windows for ${name} failed: ${why}`;

/** Why a session another window handed over was not taken. */
export type IgnoredHandover = 'otherGeneration' | 'holdsNewer' | 'otherSettings';

export const ignoredHandoverText = (generation: number, name: string, why: IgnoredHandover) => {
  switch (why) {
    case 'otherGeneration':
      return `Ignored generation ${generation} of ${name} from another window: the marker names another generation.`;
    case 'holdsNewer':
      return `Ignored generation ${generation} of ${name} from another window: this window holds it or a newer one.`;
    case 'otherSettings':
      return `Ignored generation ${generation} of ${name} from another window: it was made for other settings.`;
  }
};

export const handedOverByWindowText = (generation: number, name: string) =>
  `Another window handed over generation ${generation} of ${name}.`;

export const takeFromWindowFailedText = (name: string, why: string) =>
  `Taking the session of ${name} from another window failed: ${why}`;

/** `label`: the provider's label from its settings. */
export const followedSignOutText = (label: string) => `Another window signed out of ${label}; so does this one.`;

export const followSignOutFailedText = (name: string, why: string) =>
  `Following another window's sign-out of ${name} failed: ${why}`;

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
