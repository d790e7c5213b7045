/**
 * The one definition of what names a provider and one of its accounts. Settings, the token
 * helper's protocol, tasks, language servers and MCP servers all use these; the shell and Node
 * clients in bin/ mirror the character sets (see there).
 */

/** A provider id in agentAuth.providers: 1-64 letters, digits, ".", "_" or "-" (never "@"). */
export const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROVIDER_ID_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';

/**
 * An account reference: `acme` (the provider's default account) or `acme@<account>`, split at
 * the FIRST "@" (provider ids have none). `<account>` is matched case-insensitively against the
 * account label the server reported (`acme@alice@example.com`), or its part before "@" when that
 * is unique (`acme@alice`). Letters, digits and `.`, `_`, `-`, `+`, `@`: an e-mail address or a
 * user name, and nothing a shell or a URL query would need quoted (the clients encode `+`).
 */
export const ACCOUNT_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(@[A-Za-z0-9._+@-]{1,256})?$/;
export const ACCOUNT_REF_RULE = 'must be a provider id, optionally followed by "@" and an account (letters, digits, ".", "_", "-", "+", "@")';

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
