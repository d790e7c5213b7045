import type { FetchLike } from '../protocol/http.js';
import type { Logger } from '../protocol/log.js';
import type { ProviderConfig, RefreshSettings } from './config/config.js';
import type { Clock, SecretStore } from './ports.js';
import type { ClientSecretSource } from './signIn/clientContext.js';
import type { SessionRecord } from './store/sessionRecord.js';
import type { SessionStore } from './store/sessionStore.js';
import type { SessionPeers } from './sync/peers.js';
import type { RefreshLock } from './sync/refreshLock.js';

/**
 * The public types of the token lifecycle: what TokenService hands out, reports and needs. Here
 * rather than in tokenService.ts so that its parts below it (refresh/, cache/) can name them
 * without importing the façade; tokenService.ts re-exports every one, and importers use that.
 * In the dependency order this file sits after sync/ and signIn/ and before refresh/.
 */

export interface AccessToken {
  providerId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  envVar: string;
  account: { id: string; label: string };
}

export interface GetTokenOptions {
  /** Refresh even if the token looks valid: what a consumer does after a 401. */
  forceRefresh?: boolean;
  /**
   * The token a server just rejected: refresh unless a different, valid token is already there.
   * Unlike a bare forceRefresh this also replaces a token obtained moments ago.
   */
  rejectedToken?: string;
  /**
   * The token should stay valid at least this long. Default 15. A preference: while the current
   * token is valid, a refresh that is slow or failing does not turn into a refusal.
   */
  minValiditySeconds?: number;
  /** Longest this caller waits for a refresh it needs; default the service's waitTimeoutMs. */
  maxWaitMs?: number;
}

export type TokenChangeKind =
  'signedIn' | 'refreshing' | 'refreshed' | 'refreshFailed' | 'needsSignIn' | 'signedOut' | 'corrupt';

export interface TokenChange {
  providerId: string;
  kind: TokenChangeKind;
  /** For refreshFailed, needsSignIn and corrupt: what happened, in words for the user. */
  message?: string;
  /** The account the change is about (for signedOut: the one that signed out); absent when no session is known (an unreadable entry). */
  account?: { id: string; label: string };
}

export interface ProviderState {
  provider: ProviderConfig;
  /** The cached session. Holds tokens: never log or display it whole. */
  session?: SessionRecord;
  refreshing: boolean;
  lastRefresh?: { at: number; ok: boolean; message?: string };
  nextRefreshAt?: number;
}

export interface TokenServiceDeps {
  store: SessionStore;
  /** The SecretStorage under `store`: it also keeps the revocation ledger (see revocationLedger.ts). */
  secrets: SecretStore;
  lock: RefreshLock;
  /** A bounded fetch (see protocol/http.ts): its deadline must stay well under the lock's stale time. */
  fetch: FetchLike;
  log: Logger;
  clock: Clock;
  refreshSettings: () => RefreshSettings;
  random?: () => number;
  /** Longest a caller waits for a refresh it needs. */
  waitTimeoutMs?: number;
  /** Client secrets of confidential clients (see clientContext.ts). */
  clientSecrets?: ClientSecretSource;
  /** The other windows, reached without SecretStorage (src/peers); without it, SecretStorage alone carries sessions. */
  peers?: SessionPeers;
}

/**
 * What the account registry (accounts.ts) adds to its lanes; without one, every id is a provider
 * of its own and is named by its label.
 */
export interface LanePolicy {
  /** The lane in words for the user: the provider's label, with the account where it has several (never a lane id). */
  nameOf(id: string): string | undefined;
  /** The config an interactive sign-in of `id` uses (a sign-in again names the lane's account to the server). */
  signInConfig(id: string): ProviderConfig | undefined;
  /** Throws when a session just signed in must not be kept in lane `id` (another lane holds its account). */
  checkSignIn(id: string, s: SessionRecord): void;
}
