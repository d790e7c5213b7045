import assert from 'node:assert/strict';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import {
  LEDGER_KEY_PREFIX,
  MAX_LEDGER_ENTRIES,
  RevocationLedger,
} from '../../src/session/revocation/revocationLedger.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { IdpUserAgent } from '../fixtures/idpUserAgent.js';
import { introspect } from '../support/idpChecks.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';
import { session } from '../vscode/sessions.js';

/** The tokens of sessions forgotten because another one may share their grant (see revocationLedger.ts). */
describe('revocation ledger', function () {
  this.timeout(30_000);

  function ledger(secrets = new MemorySecretStore(), log = new RecordingLogger()) {
    const store = new SessionStore(secrets, log);
    const lock = new FileRefreshLock(tempDir('agent-auth-lock-'), { log });
    let t = 1_000;
    return { secrets, store, log, ledger: new RevocationLedger({ secrets, store, lock, log, now: () => t++ }) };
  }
  const stored = (secrets: MemorySecretStore, id = 'dev') =>
    JSON.parse(secrets.entries.get(LEDGER_KEY_PREFIX + id) ?? '{"entries":[]}') as {
      entries: { refreshToken?: string }[];
    };

  it('keeps one entry per provider (lanes included), the newest ones only', async () => {
    const { secrets, ledger: l, log } = ledger();
    for (let i = 0; i < MAX_LEDGER_ENTRIES + 5; i++)
      await l.keep([session(i % 2 ? 'dev#2' : 'dev', { sessionId: `s${i}`, refreshToken: `rt-canary-${i}` })]);
    const kept = stored(secrets).entries.map((e) => e.refreshToken);
    assert.equal(kept.length, MAX_LEDGER_ENTRIES);
    assert.deepEqual(
      kept,
      Array.from({ length: MAX_LEDGER_ENTRIES }, (_, i) => `rt-canary-${i + 5}`),
    );
    assert.match(log.text(), /is full/);
    assert.doesNotMatch(log.text(), /rt-canary/);
  });

  it('an unreadable entry is set aside (it may hold a token), the readable ones are kept', async () => {
    const { secrets, store, ledger: l, log } = ledger();
    const good = { ...session('dev', { refreshToken: 'rt-good' }), forgottenAt: 1 };
    const bad = { refreshToken: 'rt-canary-bad', clientId: 'client', endpoints: { issuer: 'https://dev.example' } };
    secrets.entries.set(
      LEDGER_KEY_PREFIX + 'dev',
      JSON.stringify({ v: 1, entries: [good, bad, { ...good, providerId: 'other' }] }),
    );
    const taken = await l.take('dev', () => true);
    assert.deepEqual(
      taken.map((e) => e.refreshToken),
      ['rt-good'],
    );
    const aside = await store.quarantined();
    assert.equal(aside.length, 2);
    assert.equal(
      JSON.parse((await store.readQuarantined(aside.find((k) => k.includes('/1/'))!))!).refreshToken,
      'rt-canary-bad',
    );
    assert.match(log.text(), /unreadable/);
    assert.doesNotMatch(log.text(), /rt-canary/);
    assert.equal(secrets.entries.has(LEDGER_KEY_PREFIX + 'dev'), false);
  });

  it('a ledger that is not one is set aside whole and a new one started', async () => {
    const { secrets, store, ledger: l } = ledger();
    secrets.entries.set(LEDGER_KEY_PREFIX + 'dev', 'rt-canary not json');
    await l.keep([session('dev')]);
    assert.equal(stored(secrets).entries.length, 1);
    assert.equal(await store.readQuarantined((await store.quarantined())[0]), 'rt-canary not json');
  });

  describe('against the IdP', () => {
    let idp: TestIdp;
    let w: Window | undefined;
    before(async () => {
      idp = await startTestIdp({ host: '127.0.0.2' });
    });
    after(() => idp.close());
    afterEach(() => {
      w?.service.dispose();
      w = undefined;
    });

    it('a kept token whose revocation fails stays for a later try, and is revoked at the next last sign-out', async () => {
      const secrets = new MemorySecretStore();
      const log = new RecordingLogger();
      const lane = { ...idpProvider(idp), id: 'dev#2' };
      w = lifecycleWindow([idpProvider(idp), lane], { secrets, lockDir: tempDir('agent-auth-lock-'), log });
      await signInThroughIdp(w.service, 'dev', idp, { browser: new IdpUserAgent() });
      const forgotten = await signInThroughIdp(w.service, 'dev#2', idp, { browser: new IdpUserAgent() });
      await w.service.signOut('dev#2');
      // The server cannot be reached for this token when the last session goes.
      const key = LEDGER_KEY_PREFIX + 'dev';
      const real = secrets.entries.get(key)!;
      const endpoint = (JSON.parse(real) as { entries: { endpoints: { revocation_endpoint: string } }[] }).entries[0]
        .endpoints.revocation_endpoint;
      secrets.entries.set(key, real.replaceAll(endpoint, 'http://127.0.0.2:9/revoke'));
      await w.service.signOut('dev');
      assert.equal((await introspect(idp, forgotten.refreshToken!)).active, true);
      assert.equal(stored(secrets).entries.length, 1, 'kept for a later try');
      assert.match(log.text(), /kept for a later try/);
      assert.ok(!log.lines.some((l) => l.includes(forgotten.refreshToken!)), 'no token in the log');
      // Reachable again; the next time the last session of the provider goes, it is revoked.
      secrets.entries.set(key, secrets.entries.get(key)!.replaceAll('http://127.0.0.2:9/revoke', endpoint));
      await signInThroughIdp(w.service, 'dev', idp);
      await w.service.signOut('dev');
      assert.equal((await introspect(idp, forgotten.refreshToken!)).active, false);
      assert.equal(secrets.entries.has(key), false);
    });
  });
});
