/**
 * refresh/: keeping a session's tokens fresh. When a refresh is due and how long to back off
 * (refreshPolicy), the per-lane timer that starts it (refreshScheduler), presenting the refresh
 * token and committing the outcome (redeem), the engine that runs one refresh per lane at a time
 * under the lock with its retries and failure bookkeeping (refreshEngine), and how long a caller
 * waits for one (tokenWait). It keeps no per-lane state of its own: that is in cache/, reached
 * through RefreshHost.
 *
 * Used by other folders: cache/ (RefreshHost, RefreshState, refreshDueAt, RefreshScheduler),
 * tokenService.ts (RefreshEngine, justRefreshed, the wait helpers), bench and tests
 * (refreshLeadMs and the other policy functions).
 */
export {
  FRESH_ENOUGH_MS,
  justRefreshed,
  RefreshEngine,
  type RefreshEngineDeps,
  type RefreshHost,
  type RefreshRequest,
  type RefreshState,
} from './refreshEngine.js';
export { backoffMs, isRefreshDue, MAX_JITTER_MS, refreshDueAt, refreshLeadMs } from './refreshPolicy.js';
export { RefreshScheduler, WALL_CLOCK_CHECK_MS } from './refreshScheduler.js';
export { preferFreshWaitMs, settleWithin, stillValid, withWaitLimit } from './tokenWait.js';
