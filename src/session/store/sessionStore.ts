import type { Logger } from '../../protocol/log.js';
import type { SecretStore } from '../ports.js';
import {
  QUARANTINE_INDEX_KEY,
  QUARANTINE_KEY_PREFIX,
  SESSION_KEY_PREFIX,
  type SessionRecord,
  SessionRecordSchema,
  sessionKey,
} from './sessionRecord.js';
import { describeIssues } from '../../protocol/zodIssues.js';
import { notJsonText, otherProviderText, unknownVersionText, unreadableSessionText } from '../messages.js';

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
  private indexQueue: Promise<void> = Promise.resolve();

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
    const quarantineKey = await this.setAside(providerId, raw);
    await this.secrets.delete(key);
    this.log.error(unreadableSessionText(providerId, reason, quarantineKey));
    return { kind: 'corrupt', reason, quarantineKey };
  }

  /**
   * Keeps unreadable text that may hold a token under a quarantine key named after `name` (a
   * provider id, or a path under it), listed for "Delete Set-Aside Session Entries". Returns the key.
   */
  async setAside(name: string, raw: string): Promise<string> {
    const quarantineKey = `${QUARANTINE_KEY_PREFIX}${name}/${this.now()}`;
    await this.secrets.store(quarantineKey, raw);
    await this.updateIndex((keys) => [...new Set([...keys, quarantineKey])]);
    return quarantineKey;
  }

  async write(session: SessionRecord): Promise<void> {
    await this.secrets.store(sessionKey(session.providerId), JSON.stringify(session));
  }

  async delete(providerId: string): Promise<void> {
    await this.secrets.delete(sessionKey(providerId));
  }

  /** The keys of entries set aside (SecretStorage cannot list its keys, so an index entry remembers them). */
  async quarantined(): Promise<string[]> {
    const raw = await this.secrets.get(QUARANTINE_INDEX_KEY);
    try {
      const keys: unknown = raw === undefined ? [] : JSON.parse(raw);
      return Array.isArray(keys)
        ? keys.filter((k): k is string => typeof k === 'string' && k.startsWith(QUARANTINE_KEY_PREFIX))
        : [];
    } catch {
      return [];
    }
  }

  /** The raw content of an entry set aside: untrusted text, possibly holding tokens. */
  readQuarantined(key: string): Promise<string | undefined> {
    return key.startsWith(QUARANTINE_KEY_PREFIX) ? this.secrets.get(key) : Promise.resolve(undefined);
  }

  async deleteQuarantined(key: string): Promise<void> {
    if (!key.startsWith(QUARANTINE_KEY_PREFIX)) return;
    await this.secrets.delete(key);
    await this.updateIndex((keys) => keys.filter((k) => k !== key));
  }

  /** One index update at a time: two entries set aside at once must both be listed. */
  private updateIndex(change: (keys: string[]) => string[]): Promise<void> {
    const run = this.indexQueue.then(async () => {
      const keys = change(await this.quarantined());
      if (keys.length) await this.secrets.store(QUARANTINE_INDEX_KEY, JSON.stringify(keys));
      else await this.secrets.delete(QUARANTINE_INDEX_KEY);
    });
    this.indexQueue = run.catch(() => undefined);
    return run;
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
    return notJsonText;
  }
  const r = SessionRecordSchema.safeParse(data);
  if (!r.success) {
    const version = (data as { v?: unknown })?.v;
    if (version !== undefined && version !== 1) return unknownVersionText(version);
    return describeIssues(r.error.issues, data, 'entry');
  }
  if (r.data.providerId !== providerId) return otherProviderText(r.data.providerId);
  return undefined;
}
