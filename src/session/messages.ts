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

// (end of tokens)

// ---- accounts ------------------------------------------------------------------------------

/** A reference or provider id that names no configured provider. */
export const unknownProviderText = (providerId: string) =>
  `No provider "${providerId}" is configured in agentAuth.providers.`;

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

// (end of sync)

// ---- store, config, sign-in, revocation, consumers -----------------------------------------

// (end of store, config, sign-in, revocation, consumers)
