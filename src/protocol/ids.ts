/**
 * The one definition of what names a provider and one of its accounts. Settings, the token
 * helper's protocol, tasks, language servers and MCP servers all use these; the shell and Node
 * clients in bin/ mirror the character sets (see there).
 */

/** A provider id in agentAuth.providers: 1-64 letters, digits, ".", "_" or "-" (never "@"). */
export const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROVIDER_ID_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';

/** The characters of the part after "@" (an account label or id as it may be typed); the clients in bin/ mirror this set. */
const ACCOUNT_CHARS = '[A-Za-z0-9._+@-]{1,256}';

/**
 * An account reference: `acme` (the provider's default account) or `acme@<account>`, split at
 * the FIRST "@" (provider ids have none). `<account>` is matched case-insensitively against the
 * account label the server reported (`acme@alice@example.com`), then exactly against the account's
 * id (the `sub` the server reported: the way to name an account whose label has spaces), then
 * against the label's part before "@" when that is unique (`acme@alice`). Letters, digits and
 * `.`, `_`, `-`, `+`, `@`: an e-mail address or a user name, and nothing a shell or a URL query
 * would need quoted (the clients encode `+`).
 */
export const ACCOUNT_REF = new RegExp(`^${PROVIDER_ID.source.slice(1, -1)}(@${ACCOUNT_CHARS})?$`);
export const ACCOUNT_REF_RULE =
  'must be a provider id, optionally followed by "@" and an account (letters, digits, ".", "_", "-", "+", "@")';
/** What may follow `acme@` in a reference. */
export const ACCOUNT_NAME = new RegExp(`^${ACCOUNT_CHARS}$`);

/**
 * The references that may name an account of `providerId`: by its label, then by its id, each
 * where it fits ACCOUNT_NAME (none: the account is reachable only as the provider's default).
 * Whether one reaches that account among the others is the account registry's to say.
 */
export function accountRefCandidates(providerId: string, account: { id: string; label: string }): string[] {
  return [account.label, account.id].filter((a) => ACCOUNT_NAME.test(a)).map((a) => `${providerId}@${a}`);
}

export interface AccountRef {
  providerId: string;
  /** Absent: the provider's default account. */
  account?: string;
}

/** Splits `acme@alice@example.com` into `acme` and `alice@example.com`; undefined when it is no reference. */
export function parseAccountRef(ref: string): AccountRef | undefined {
  if (!ACCOUNT_REF.test(ref)) return undefined;
  const at = ref.indexOf('@');
  return at < 0 ? { providerId: ref } : { providerId: ref.slice(0, at), account: ref.slice(at + 1) };
}
