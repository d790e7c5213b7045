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

// (end of accounts)

// ---- sync: the lock, the generation marker, the window handoff -----------------------------

// (end of sync)

// ---- store, config, sign-in, revocation, consumers -----------------------------------------

// (end of store, config, sign-in, revocation, consumers)
