import assert from 'node:assert/strict';
import type { SessionRecord } from '../../src/session/store/sessionRecord.js';
import { sessionKey } from '../../src/session/store/sessionRecord.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

const sampleSession = (providerId = 'acme', token = 'at-1'): SessionRecord => ({
  v: 1,
  sessionId: 's1',
  providerId,
  clientId: 'c',
  account: { id: 'alice', label: 'alice' },
  scopes: ['openid'],
  endpoints: { issuer: 'https://i', token_endpoint: 'https://i/token' },
  accessToken: token,
  refreshToken: 'rt-1',
  expiresAt: 2_000,
  obtainedAt: 1_000,
  generation: 0,
});

describe('session store', () => {
  it('round-trips a session and validates it on read', async () => {
    const store = new SessionStore(new MemorySecretStore(), new RecordingLogger());
    await store.write(sampleSession());
    const r = await store.read('acme');
    assert.equal(r.kind, 'ok');
    assert.deepEqual(r.kind === 'ok' && r.session, sampleSession());
    assert.deepEqual(await store.read('other'), { kind: 'missing' });
  });

  const corrupt: [string, string, RegExp][] = [
    ['not JSON', '{"v":1,', /not JSON/],
    ['a future version', JSON.stringify({ ...sampleSession(), v: 2 }), /unknown format version 2/],
    ['a missing field', JSON.stringify({ ...sampleSession(), endpoints: undefined }), /endpoints/],
    ['a wrong type', JSON.stringify({ ...sampleSession(), expiresAt: 'soon' }), /expiresAt/],
    ["another provider's entry", JSON.stringify(sampleSession('other')), /belongs to provider "other"/],
    ['a JSON string', '"hello"', /entry/],
  ];
  for (const [what, raw, reason] of corrupt) {
    it(`quarantines ${what} without touching other sessions or leaking the content`, async () => {
      const secrets = new MemorySecretStore();
      const log = new RecordingLogger();
      const store = new SessionStore(secrets, log, () => 42);
      await store.write(sampleSession('good', 'CANARY-good'));
      secrets.entries.set(sessionKey('acme'), raw.replace('at-1', 'CANARY-bad'));
      const r = await store.read('acme');
      assert.equal(r.kind, 'corrupt');
      assert.match(r.kind === 'corrupt' ? r.reason : '', reason);
      assert.equal(secrets.entries.has(sessionKey('acme')), false, 'moved out of the way');
      assert.ok(secrets.entries.has('agent-auth/quarantine/acme/42'), 'kept in SecretStorage for inspection');
      assert.equal((await store.read('good')).kind, 'ok');
      assert.deepEqual(await store.read('acme'), { kind: 'missing' }, 'reported once');
      assert.equal(log.text().includes('CANARY'), false);
    });
  }

  it('reports changes by provider id, ignoring other keys', async () => {
    const secrets = new MemorySecretStore();
    const store = new SessionStore(secrets, new RecordingLogger());
    const seen: string[] = [];
    store.onDidChange((id) => seen.push(id));
    await store.write(sampleSession());
    await secrets.store('unrelated', 'x');
    await store.delete('acme');
    assert.deepEqual(seen, ['acme', 'acme']);
  });
});
