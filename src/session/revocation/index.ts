/**
 * revocation/: ending the tokens of sessions that go. RFC 7009 revocation at the session's own
 * server, the rule that a session sharing its grant with one still signed in is only forgotten,
 * and signing out sessions made for other settings (revocation.ts); the ledger that keeps those
 * forgotten tokens in SecretStorage until the last session of their grant goes
 * (revocationLedger.ts).
 *
 * Re-exports what the façade and tests use.
 */
export { type GrantHolder, MismatchRetirer, mayShareGrant, SessionRevoker } from './revocation.js';
export { LEDGER_KEY_PREFIX, MAX_LEDGER_ENTRIES, RevocationLedger } from './revocationLedger.js';
