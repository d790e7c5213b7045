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

export const unknownProviderText = (provider: string) =>
  `No provider "${provider}" is configured in agentAuth.providers.`;

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

export const loadSessionFailedText = (id: string, err: unknown) => `Loading "${id}": ${String(err)}`;

export const listenerFailedText = (failure: string) => `A token change listener failed: ${failure}`;

// (end of tokens)

// ---- accounts ------------------------------------------------------------------------------

// (end of accounts)

// ---- sync: the lock, the generation marker, the window handoff -----------------------------

// (end of sync)

// ---- store, config, sign-in, revocation, consumers -----------------------------------------

// (end of store, config, sign-in, revocation, consumers)
