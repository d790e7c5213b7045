import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { silentLogger } from '../../src/protocol/log.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { DirSecretStore } from '../support/dirSecretStore.js';
import { sha256 } from '../support/idpChecks.js';
import { interopSuite } from '../support/interop.js';
import { INTEROP_IDPS, type InteropIdp, interopProvider, signInThroughInteropIdp } from '../support/interopIdp.js';
import { lifecycleWindow, sleep, storedSession, tempDir } from '../support/lifecycle.js';
import { Worker } from '../support/workers.js';

const WORKERS = 4;
const ROUNDS = 6;
const TTL_S = 2;
/** As in test/session/crossProcess.test.ts: every process must refresh at once when a round starts. */
const ROUND_LEAD_MS = 900;
/** The IdP's token times are whole seconds: its expiry may come up to this much before ours. */
const IDP_CLOCK_GRAIN_MS = 1000;
const SETTINGS = { remainingFraction: 0.25, minSecondsBeforeExpiry: 0 };

/**
 * Several processes (windows) on one store and lock folder race to refresh one rotating session
 * as it expires, against each real IdP: each refresh token must reach the IdP exactly once
 * (Glewlwyd, like oidc-provider, kills the whole chain when one comes back), and every process must
 * end with the one new token.
 */
for (const factory of INTEROP_IDPS) {
  interopSuite(factory.name, function () {
    this.timeout(120_000);
    let idp: InteropIdp;
    let storeDir: string;
    let lockDir: string;
    let secrets: DirSecretStore;
    let workers: Worker[] = [];

    before(async () => {
      idp = await factory.start({ accessTokenTtl: TTL_S });
      storeDir = tempDir('agent-auth-store-');
      lockDir = tempDir('agent-auth-lock-');
      secrets = new DirSecretStore(storeDir);
      const provider = interopProvider(idp);
      workers = await Promise.all(
        Array.from({ length: WORKERS }, () => Worker.start({ storeDir, lockDir, provider, settings: SETTINGS })),
      );
      const w = lifecycleWindow([provider], { secrets, lockDir });
      await signInThroughInteropIdp(w.service, 'dev', idp);
      w.service.dispose();
    });

    after(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      secrets?.close();
      await idp?.close();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
      if (lockDir) rmSync(lockDir, { recursive: true, force: true });
    });

    it(`${WORKERS} processes share one rotating session: each refresh token redeemed once, all end with the same live token`, async () => {
      const store = new SessionStore(secrets, silentLogger);
      idp.stats.reset();
      let raced = 0;
      let live = 0;
      for (let round = 1; raced < ROUNDS && round <= 2 * ROUNDS; round++) {
        const s = await storedSession(store, 'dev');
        await sleep(s.expiresAt - ROUND_LEAD_MS - Date.now());
        const before = idp.stats.grants.refresh_token ?? 0;
        const replies = await Promise.all(workers.map((w) => w.get('dev', { minValiditySeconds: 1 })));
        const refreshes = (idp.stats.grants.refresh_token ?? 0) - before;
        assert.ok(refreshes <= 1, `round ${round}: ${refreshes} refreshes`);
        const current = await storedSession(store, 'dev');
        for (const r of replies) {
          assert.ok(r.ok, `round ${round}: ${r.ok ? '' : `${r.error.code}: ${r.error.message}`}`);
          assert.equal(
            r.token!.sha256,
            sha256(current.accessToken!),
            `round ${round}: a worker holds another token than the store`,
          );
        }
        const me = await fetch(idp.userinfoEndpoint, { headers: { authorization: `Bearer ${current.accessToken}` } });
        // The token lives 2 s and the IdP counts whole seconds (exp = iat + 2, iat truncated), so on a
        // loaded machine it may have expired by the time it is checked: a 401 then says nothing about
        // the chain. One before its expiry means the IdP ended the session.
        const left = current.expiresAt - IDP_CLOCK_GRAIN_MS - Date.now();
        if (me.status === 200) live++;
        else
          assert.ok(
            left <= 0,
            `round ${round}: the shared token is not live at the IdP (HTTP ${me.status}, ${left} ms before its expiry)`,
          );
        if (refreshes === 1) raced++;
      }
      assert.equal(raced, ROUNDS, `only ${raced} rounds were races`);
      assert.ok(live >= 1, 'no round checked the shared token at the IdP before it expired');
      assert.equal(idp.stats.doubleRedemptions(), 0, 'a refresh token reached the IdP twice');
      assert.deepEqual(new Set(idp.stats.refreshRedemptions.values()), new Set([1]));
    });
  });
}
