import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { silentLogger } from '../../src/protocol/log.js';
import type { SecretStore } from '../../src/session/ports.js';
import { systemClock } from '../../src/session/ports.js';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import type { SessionRecord } from '../../src/session/store/sessionRecord.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { TokenService } from '../../src/session/tokenService.js';

/** SecretStorage's contract in memory: what VS Code supplies in the extension host. */
export class MemorySecrets implements SecretStore {
  readonly map = new Map<string, string>();
  private listeners = new Set<(key: string) => void>();
  async get(key: string) {
    return this.map.get(key);
  }
  async store(key: string, value: string) {
    this.map.set(key, value);
    this.listeners.forEach((l) => l(key));
  }
  async delete(key: string) {
    this.map.delete(key);
    this.listeners.forEach((l) => l(key));
  }
  onDidChange(listener: (key: string) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

export const provider = (id: string, envVar = `${id.toUpperCase()}_TOKEN`): ProviderConfig => ({
  id,
  label: id[0].toUpperCase() + id.slice(1),
  issuer: `https://${id}.example`,
  clientId: 'client',
  scopes: ['openid', 'offline_access'],
  flow: 'auto',
  envVar,
});

export function session(providerId: string, patch: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    v: 1,
    sessionId: `s-${providerId}`,
    providerId,
    clientId: 'client',
    account: { id: 'u1', label: 'alice@example.com' },
    scopes: ['openid', 'offline_access'],
    endpoints: { issuer: `https://${providerId}.example`, token_endpoint: `https://${providerId}.example/token` },
    accessToken: `at-${providerId}`,
    refreshToken: `rt-${providerId}`,
    expiresAt: now + 3600_000,
    obtainedAt: now,
    generation: 1,
    ...patch,
  };
}

/** A real TokenService over in-memory secrets holding `sessions`; nothing here talks to a server. */
export async function serviceWith(providers: ProviderConfig[], sessions: SessionRecord[]): Promise<TokenService> {
  const secrets = new MemorySecrets();
  const store = new SessionStore(secrets, silentLogger);
  for (const s of sessions) await store.write(s);
  const service = new TokenService({
    store,
    secrets,
    lock: new FileRefreshLock(mkdtempSync(join(tmpdir(), 'agent-auth-lock-')), { log: silentLogger }),
    fetch: () => Promise.reject(new Error('no network in this test')),
    log: silentLogger,
    clock: systemClock,
    refreshSettings: () => ({ remainingFraction: 0.25, minSecondsBeforeExpiry: 60 }),
  });
  service.setProviders(providers);
  // Let the service load every stored session.
  await Promise.all(
    providers.map((p) => service.getAccessToken(p.id, { minValiditySeconds: 0 }).catch(() => undefined)),
  );
  return service;
}
