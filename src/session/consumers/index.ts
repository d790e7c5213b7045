/**
 * consumers/: the ways a token leaves the lifecycle, each free of `vscode`. What other extensions
 * see of tokens and changes (apiView.ts); a fetch with the bearer token, refreshed once on a 401
 * (authorizedFetch.ts); which provider's token git may send to a remote (gitRemote.ts); the
 * OpenID Connect ID token (idToken.ts); the loopback forwarder that puts a current token on every
 * request to an HTTP MCP server (tokenProxy.ts).
 *
 * Re-exports what vscode/ and tests use.
 */
export { apiChange, apiToken } from './apiView.js';
export { fetchWithToken, type GetToken } from './authorizedFetch.js';
export { providerForGitRemote } from './gitRemote.js';
export { getIdToken, type IssuedIdToken, jwtTimes } from './idToken.js';
export { startTokenProxy, type TokenProxy } from './tokenProxy.js';
