/**
 * store/: the session entries in SecretStorage. One versioned, validated JSON entry per signed-in
 * provider or account (sessionRecord.ts: its zod schema, keys and `isUsable`); reading, writing and
 * watching them, and keeping an unreadable one aside under a quarantine key instead of dropping it
 * (sessionStore.ts); revoking and deleting those unreadable entries on request (quarantine.ts).
 * Depends only on the root files (ports, messages) and protocol/.
 *
 * Re-exports what other folders and the façade use.
 */
export { isUsable, type SessionRecord, SessionRecordSchema, sessionKey } from './sessionRecord.js';
export { type ReadResult, SessionStore } from './sessionStore.js';
export { purgeQuarantined, type PurgeResult } from './quarantine.js';
