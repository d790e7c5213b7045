/**
 * cache/: what this window holds per lane. The configured lanes, each one's session in memory
 * (loaded once, reloaded when the store changes), the one place a lane's session changes (adopt:
 * a session made for other settings is retired instead), the change events sent to listeners,
 * and the arming of each lane's proactive refresh. It implements refresh/'s RefreshHost, so the
 * refresh engine keeps its per-lane state in the same entry.
 *
 * Used by other folders: tokenService.ts (LaneCache).
 */
export { LaneCache, type LaneCacheDeps, type LaneEntry } from './laneCache.js';
