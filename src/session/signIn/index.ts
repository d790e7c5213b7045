/**
 * signIn/: getting a new session. One interactive sign-in: discovery, the authorization code or
 * device flow, and the new session record it yields, not yet stored (signIn.ts); the context every
 * token request of a session shares, with the client secret kept in SecretStorage
 * (clientContext.ts: used by refresh and revocation too).
 *
 * Re-exports what other folders, the façade and vscode/ use.
 */
export { type FlowKind, signIn, type SignInUi } from './signIn.js';
export {
  CLIENT_SECRET_KEY_PREFIX,
  clientContext,
  type ClientContextSource,
  ClientSecrets,
  type ClientSecretSource,
} from './clientContext.js';
