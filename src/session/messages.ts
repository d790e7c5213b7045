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

export const loadSessionFailedText = (id: string, err: unknown) => `Loading "${id}": ${String(err)}`;

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

// (end of store, config, sign-in, revocation, consumers)
