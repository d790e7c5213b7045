import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/protocol/log.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { DirSecretStore } from '../support/dirSecretStore.js';
import { FaultProxy } from '../support/faultProxy.js';
import { introspect, sha256 } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  storedSession,
  tempDir,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { Worker } from '../support/workers.js';

reportTallyAtEnd();

/** proper-lockfile's minimum: the lock is refreshed every second and stale two seconds after its last refresh. */
const STALE_MS = 2_000;
/**
 * A window dies (SIGKILL) after its refresh reached the IdP and before the answer reached it:
 * the IdP has acted on the refresh token, the store never heard of it, the lock stays behind.
 */
describe('token lifecycle: a process killed mid-refresh', function () {
  this.timeout(30_000);
  let idp: TestIdp | undefined;
  let proxy: FaultProxy | undefined;
  let secrets: DirSecretStore | undefined;
  const dirs: string[] = [];
  const workers: Worker[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    secrets?.close();
    await proxy?.close();
    await idp?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  for (const rotate of [false, true]) {
    it(`leaves the old session readable and the next process recovers the lock (rotation ${rotate ? 'on' : 'off'})`, async () => {
      idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: rotate });
      const storeDir = tempDir('agent-auth-store-');
      const lockDir = tempDir('agent-auth-lock-');
      dirs.push(storeDir, lockDir);
      secrets = new DirSecretStore(storeDir);
      const store = new SessionStore(secrets, silentLogger);
      const signedIn = lifecycleWindow([idpProvider(idp)], { secrets, lockDir });
      const session = await signInThroughIdp(signedIn.service, 'dev', idp);
      signedIn.service.dispose();
      proxy = await FaultProxy.start(idp.issuer);
      await pointTokenEndpointAt(store, 'dev', proxy.url(session.endpoints.token_endpoint));
      const before = await storedSession(store, 'dev');
      const init = { storeDir, lockDir, provider: idpProvider(idp), staleMs: STALE_MS };

      proxy.next({ kind: 'hold' });
      const victim = await Worker.start(init);
      workers.push(victim);
      const lost = victim.refreshNow('dev').catch((e: Error) => e);
      await proxy.heldAnswers(1);
      victim.kill('SIGKILL');
      const killedAt = Date.now();
      assert.equal((await victim.exited).signal, 'SIGKILL');
      assert.ok((await lost) instanceof Error, 'the victim never got its answer');

      const kept = await storedSession(store, 'dev');
      assert.equal(kept.generation, before.generation);
      assert.equal(sha256(kept.refreshToken!), sha256(before.refreshToken!));
      assert.equal(sha256(kept.accessToken!), sha256(before.accessToken!));
      assert.ok(existsSync(join(lockDir, 'dev.lock')), 'the dead holder left its lock');

      const next = await Worker.start(init);
      workers.push(next);
      const r = await next.refreshNow('dev');
      const recoveredMs = r.at! - killedAt;
      console.log(`      lock recovered and refresh answered ${recoveredMs} ms after the kill (stale ${STALE_MS} ms)`);
      // No timed assertion (a loaded machine stretches it): the refresh above answering at all is the recovery;
      // without it the lock's retries run out and refreshNow fails with ELOCKED.

      const after = await storedSession(store, 'dev');
      if (!rotate) {
        // The old refresh token is still good: the next process simply refreshes.
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        assert.equal(r.token!.sha256, sha256(after.accessToken!));
        assert.equal(sha256(after.refreshToken!), sha256(before.refreshToken!));
        assert.equal((await introspect(idp, after.accessToken!)).active, true);
      } else {
        // The victim consumed it and its successor was lost: the honest outcome is "sign in again".
        assert.ok(!r.ok && r.error.code === 'needs_sign_in', JSON.stringify(r));
        assert.equal(after.refreshToken, undefined);
        assert.ok(after.needsSignIn);
        const stillUp = await next.get('dev');
        assert.ok(stillUp.ok, 'the process is still running and answering');
      }
      assert.deepEqual(
        [...idp.stats.refreshRedemptions.values()],
        [2],
        'the victim and its successor each presented it once',
      );
      addToTally(idp, { rotating: false });
    });
  }
});
