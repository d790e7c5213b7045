/**
 * How long a token must stay valid when it is handed out: the one definition of the rule (the
 * review's "60 s minimum validity"). Free of `vscode`. There is no setting for it:
 * `agentAuth.refresh.minSecondsBeforeExpiry` decides when the background schedule refreshes, not
 * what a caller may be handed.
 */

/**
 * What a token (or an ID token) must outlive when the one it goes to cannot come back for a
 * fresher one in time: an environment variable set at start (terminals, tasks, language and MCP
 * servers), git's credential for a fetch or push, the clipboard, `agent-auth-token --id-token`.
 */
export const MIN_VALIDITY_S = 60;

/** When a caller of TokenService.getAccessToken names no `minValiditySeconds` (api.d.ts documents it). */
export const DEFAULT_MIN_VALIDITY_S = 15;

/**
 * What is asked of a token (validity left when handed out, lead of a proactive refresh) is never
 * more than half its lifetime: else a server issuing short-lived tokens would get a refresh per
 * call, or a token would be due for refresh at birth and loop.
 */
export const atMostHalfLifetime = (ms: number, lifetimeMs: number): number => Math.min(ms, lifetimeMs / 2);
