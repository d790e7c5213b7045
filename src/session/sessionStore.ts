import type { Logger } from '../protocol/log.js';
import type { SecretStore } from './ports.js';
import { QUARANTINE_KEY_PREFIX, SESSION_KEY_PREFIX, type SessionRecord, SessionRecordSchema, sessionKey } from './sessionRecord.js';
import { describeIssues } from '../protocol/zodIssues.js';

export type ReadResult =
  | { kind: 'ok'; session: SessionRecord }
  | { kind: 'missing' }
  /** The entry was unreadable and has been moved aside under `quarantineKey`. */
  | { kind: 'corrupt'; reason: string; quarantineKey: string };

/**
 * Session entries in SecretStorage. A corrupt or foreign entry is moved to a quarantine key (still
 * in SecretStorage, never a file: it may hold a token) so it cannot break sign-in again and a
 * support engineer can still look at it; other providers' entries are never touched.
 */
export class SessionStore {
  constructor(
    private readonly secrets: SecretStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async read(providerId: string): Promise<ReadResult> {
    const key = sessionKey(providerId);
    const raw = await this.secrets.get(key);
    if (raw === undefined) return { kind: 'missing' };
    const reason = invalidReason(raw, providerId);
    if (reason === undefined) return { kind: 'ok', session: JSON.parse(raw) as SessionRecord };
    const quarantineKey = `${QUARANTINE_KEY_PREFIX}${providerId}/${this.now()}`;
    await this.secrets.store(quarantineKey, raw);
    await this.secrets.delete(key);
    this.log.error(`The stored session for "${providerId}" is unreadable (${reason}); moved it aside as ${quarantineKey}.`);
    return { kind: 'corrupt', reason, quarantineKey };
  }

  async write(session: SessionRecord): Promise<void> {
    await this.secrets.store(sessionKey(session.providerId), JSON.stringify(session));
  }

  async delete(providerId: string): Promise<void> {
    await this.secrets.delete(sessionKey(providerId));
  }

  /** Fires with the provider id whenever its entry changes, in this window or another. */
  onDidChange(listener: (providerId: string) => void): { dispose(): void } {
    return this.secrets.onDidChange((key) => {
      if (key.startsWith(SESSION_KEY_PREFIX)) listener(key.slice(SESSION_KEY_PREFIX.length));
    });
  }
}

function invalidReason(raw: string, providerId: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  const r = SessionRecordSchema.safeParse(data);
  if (!r.success) {
    const version = (data as { v?: unknown })?.v;
    if (version !== undefined && version !== 1) return `unknown format version ${JSON.stringify(version)}`;
    return describeIssues(r.error.issues, data, 'entry');
  }
  if (r.data.providerId !== providerId) return `it belongs to provider "${r.data.providerId}"`;
  return undefined;
}
