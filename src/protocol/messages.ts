/**
 * The protocol layer's user-facing sentences: the messages of its AuthErrors, the pages the
 * loopback redirect shows in the browser and its advice in the log. Each is a function from values
 * to one whole sentence (ready for l10n); the logic elsewhere in src/protocol only calls them.
 * Short diagnostic log lines ("Discovered …", "Loopback server: …") stay beside their logic.
 * Server-sent text reaches these functions already passed through serverText, never raw.
 */

// README sections the messages point to (test/protocol/readmePointers.test.ts checks each heading exists).

export const README_CERTIFICATE = 'see "Certificate not trusted" in the Agent Auth README';
export const README_PROXY = 'see "Proxy required" in the Agent Auth README';
export const README_PROXY_AUTH = 'see "Proxy authentication" in the Agent Auth README';

/** What a message says failed: the subject of its sentence ("The token endpoint answered …"). */
export const subject = {
  tokenEndpoint: 'The token endpoint',
  deviceAuthorizationEndpoint: 'The device authorization endpoint',
  authorizationServer: 'The authorization server',
  revocationEndpoint: 'The revocation endpoint',
  discovery: (issuer: string) => `Discovery at ${issuer}`,
  resourceDiscovery: (resource: string) => `Protected-resource discovery at ${resource}`,
  issuer: (issuer: string) => `Issuer ${issuer}`,
  resource: (resource: string) => `Resource ${resource}`,
} as const;

// What a server answered (oauthErrors.ts). `what` is a subject above.

export const oauthErrorAnswer = (what: string, error: string, description: string | undefined) =>
  `${what} answered "${error}"${description === undefined ? '' : `: ${description}`}.`;

export const challengeRefused = (what: string, status: number, error: string | undefined) =>
  `${what} refused the request (HTTP ${status}${error ? `, ${error}` : ''}).`;

/** `response`: the status and content type, when there was a response. */
export const notJson = (what: string, response: { status: number; contentType: string } | undefined) =>
  `${what} did not answer with JSON${response ? ` (HTTP ${response.status}, ${response.contentType})` : ''}; is the URL right?`;

/** `actual` is already JSON-quoted. */
export const attributeMismatch = (what: string, attribute: string, actual: string, expected: string) =>
  `${what}: its "${attribute}" is ${actual}, expected "${expected}".`;

/** A failure oauth4webapi describes itself (`detail`, capped). */
export const failedWith = (what: string, detail: string) => `${what}: ${detail}.`;

export const insecureConnection = (what: string) => `${what} would be contacted over an insecure connection.`;

export const invalidResponse = (what: string, detail: string) => `${what} sent an invalid response: ${detail}.`;

export const requestFailed = (what: string, detail: string) => `${what} failed: ${detail}.`;

export const httpStatus = (what: string, status: number) =>
  `${what} answered HTTP ${status}${status === 429 ? ' (rate limited)' : status >= 500 ? ' (server error)' : ''}.`;

// A fetch that failed before any answer (transportErrors.ts, http.ts). `host` is a host name.

export const unreachable = (where: string, detail?: string) =>
  `Could not reach ${where}${detail === undefined ? '' : ` (${detail})`}.`;

export const certificateUntrusted = (host: string, code: string) =>
  `The certificate of ${host} is not trusted (${code}). If your organisation uses its own certificate authority ` +
  `(or a proxy that inspects TLS), add its root certificate to the system's trusted certificates and reload the window; ${README_CERTIFICATE}.`;

export const certificateOutOfDate = (host: string, code: string) =>
  `The certificate of ${host} has expired or is not valid yet (${code}). Check this computer's clock; otherwise the server's certificate needs renewing.`;

export const certificateWrongName = (host: string, code: string) =>
  `The certificate of ${host} was issued for another host name (${code}). Check the issuer URL; a proxy that inspects TLS can also cause this.`;

export const certificateRejected = (host: string, code: string) => `The certificate of ${host} was rejected (${code}).`;

export const proxyNeedsAuthentication = (host: string) =>
  `The proxy on the way to ${host} requires authentication (HTTP 407). Give VS Code the proxy's user name and password ` +
  `(in the http.proxy setting as http://user:password@host:port, or when VS Code asks); ${README_PROXY_AUTH}.`;

export const proxyRefused = (host: string, status: string) =>
  `The proxy refused the connection to ${host} (HTTP ${status}). Check that it allows ${host}, or set http.noProxy if ${host} must be reached directly; ${README_PROXY}.`;

export const hostUnknown = (host: string, code: string) =>
  `The host name ${host} could not be resolved (${code}). If your network reaches it only through a proxy, ` +
  `set http.proxy (or HTTPS_PROXY) and check that http.noProxy does not list it; ${README_PROXY}.`;

export const proxyUnreachable = (proxy: string, host: string) =>
  `Could not connect to the proxy at ${proxy} on the way to ${host} (ECONNREFUSED). ` +
  `Check that the proxy runs and that http.proxy (or HTTPS_PROXY) names it; ${README_PROXY}.`;

export const requestCancelled = () => 'The request was cancelled.';

export const noAnswerInTime = (where: string, seconds: number) => `${where} did not answer within ${seconds} s.`;

export const bodyTooLarge = (where: string, declared: number, maxBytes: number) =>
  `${where} sent ${declared} bytes; at most ${maxBytes} are accepted.`;

export const bodyOverCap = (where: string, maxBytes: number) => `${where} sent more than ${maxBytes} bytes.`;

// URLs and documents (urls.ts, schemas.ts).

export const notAUrl = (label: string) => `${label} is not a valid URL.`;

export const insecureUrl = (label: string, host: string, why: 'httpsIssuer' | 'remoteHttp' | { scheme: string }) =>
  `${label} (${host}) ${
    why === 'httpsIssuer'
      ? 'uses http: although the issuer uses https:'
      : why === 'remoteHttp'
        ? 'uses http: on a non-loopback host'
        : `uses the unsupported scheme ${why.scheme}`
  }.`;

/** `issues`: what describeIssues says about the document. */
export const documentInvalid = (what: string, issues: string) => `${what} is invalid: ${issues}.`;

// Discovery (discovery.ts). Values quoted with JSON.stringify are passed quoted.

export const noMetadata = (issuer: string, detail: string | undefined) =>
  `${issuer} publishes neither OpenID Connect nor RFC 8414 metadata (${detail}). Check the issuer URL.`;

export const multiTenantIssuer = (expected: string, shown: string, example: string) =>
  `${expected} is a multi-tenant endpoint: its metadata names the issuer template ${shown}, which no token carries. ` +
  `Agent Auth signs in to one tenant: set "issuer" to ${example} (the tenant ID is on the tenant's Overview page in the Entra admin center).`;

/** `tenantById`: the metadata names an Entra tenant by its ID where the configured URL names it otherwise. */
export const otherIssuer = (expected: string, shown: string, tenantById: boolean) =>
  `The metadata at ${expected} names the issuer ${shown}, not ${JSON.stringify(expected)} as configured. ` +
  `If that is the server you mean, set "issuer" to ${shown}` +
  (tenantById
    ? " (Entra ID names the tenant by its ID in the issuer, even when the URL names the tenant's domain)."
    : '.');

export const noAuthorizationServer = (resource: string) =>
  `Resource ${resource} names no authorization server in its metadata.`;

// Sign-in flows (authorizationCode.ts, deviceCode.ts, loopback.ts).

export const noAuthorizationEndpoint = (issuer: string) =>
  `${issuer} has no authorization endpoint; use the device flow.`;

export const noPkceS256 = (issuer: string) => `${issuer} does not support PKCE with S256, which Agent Auth requires.`;

export const browserNotOpened = () => 'The browser could not be opened for sign-in.';

/** `iss`: the parameter the response carried (capped), or undefined when it carried none. */
export const issuerMixUp = (issuer: string, iss: string | undefined) =>
  `The authorization response did not come from ${issuer} (RFC 9207 mix-up defence: it carried ${
    iss === undefined ? 'no "iss" parameter' : `"iss" ${JSON.stringify(iss)}`
  }).`;

export const stateMismatch = () => 'The authorization response does not match this sign-in attempt (state).';

export const fixedRedirectForwarded = (fixed: string, forwarded: string) =>
  `The fixed redirect ${fixed} was forwarded as ${forwarded}; an IdP that compares redirect URIs exactly will refuse it (the device flow avoids this).`;

export const noDeviceGrant = (issuer: string) =>
  `${issuer} does not offer the device authorization grant; use the browser flow.`;

export const signInCancelled = () => 'Sign-in was cancelled.';

export const signInDenied = () => 'Sign-in was denied in the browser.';

export const deviceCodeExpired = () => 'The device code expired before sign-in was completed. Start again.';

export const unsafeUserCode = () =>
  'The device authorization endpoint sent a user code that is not letters, digits, "-" and spaces (RFC 8628); Agent Auth will not show it. Try the browser flow.';

/** Why a verification URI is refused. */
export type VerificationUriProblem = 'notUrl' | 'insecure' | 'credentials' | 'markup';

/** `shown`: the URI as serverText shows it. */
export const verificationUriRefused = (field: string, why: VerificationUriProblem, shown: string) =>
  `The device authorization endpoint sent a ${field} that Agent Auth will not open (${
    {
      notUrl: 'not a URL',
      insecure: 'it must use https:, or http: on a loopback host',
      credentials: 'it contains a user name or password',
      markup: 'it contains markdown or command syntax',
    }[why]
  }): ${shown}`;

export const redirectPortTaken = (port: number, host: string, setting: string | undefined) =>
  `Port ${port} on ${host} is taken by another program, so the sign-in redirect cannot listen there. Close that program, or choose another port in ${setting ?? 'the redirect setting'} and register the new redirect URI at the identity provider.`;

export const noBrowserAnswer = (seconds: number) => `No answer from the browser within ${seconds} s.`;

export const forwardedNotLoopback = (host: string) => `The forwarded redirect ${host} is not a loopback address.`;

/** The pages the loopback redirect answers the browser with. */
export const loopbackPage = {
  wrongHost: 'Wrong host.',
  anotherUser: 'This sign-in callback came from another user on this computer and was refused.',
  notFound: 'Not found.',
  finished: 'This sign-in attempt has already finished.',
  wrongState: 'This sign-in link does not belong to the current sign-in attempt.',
  signedIn: 'Signed in. You may close this tab and return to VS Code.',
  failed: (message: string) => `Sign-in failed: ${message}`,
  tooSlow: 'VS Code did not finish in time. Return to VS Code for details.',
} as const;

// Tokens (tokens.ts).

export const refreshTokenRefused = () =>
  'The token endpoint refused the refresh token (HTTP 400 without an error code); it was revoked, expired or already used.';

export const revocationRefused = (status: number) =>
  `The revocation endpoint refused this public client (HTTP ${status}); the server does not let it revoke its own tokens, so the token stays valid at the server until it expires.`;
