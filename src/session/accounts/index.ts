/**
 * accounts/: several accounts per provider. Each account lives in a lane (a provider config of
 * its own id, see laneIds.ts) that the TokenService handles like any provider; this folder owns
 * which lanes a provider has and which accounts they hold (AccountRegistry, accounts.ts), the
 * persisted account index (accountIndex.ts), account references (resolve.ts), the service's
 * LanePolicy (lanePolicy.ts), "Sign in with another account" (addAccount.ts), scope-set lanes
 * (scopeSets.ts), learning of lanes through the window handoff (lanesFromPeers.ts), following one
 * reference as its accounts change (laneFollower.ts), and which lanes answer a getSession caller's
 * scopes (scopeMatch.ts).
 *
 * What other folders use: the registry and its words (for src/vscode and the tests), the
 * follower, the scope match, and the index's key prefix and schema.
 */
export {
  AccountRegistry,
  type AccountRegistryDeps,
  ACCOUNTS_KEY_PREFIX,
  type Account,
  type AccountResolver,
  grantedScopes,
  lanesFromPeers,
  SELECT_ACCOUNT_PROMPT,
  SINGLE_ACCOUNTS,
} from './accounts.js';
export { type AccountIndex, AccountIndexSchema } from './accountIndex.js';
export { type FollowedChange, LaneFollower, type LaneFollowerDeps } from './laneFollower.js';
export { type LaneView, lanesForScopes } from './scopeMatch.js';
