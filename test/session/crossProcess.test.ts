import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { silentLogger } from '../../src/protocol/log.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { DirSecretStore } from '../support/dirSecretStore.js';
import { introspect, refreshGrants, sha256 } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  sleep,
  storedSession,
  tempDir,
  waitFor,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { Worker, type WorkerReply } from '../support/workers.js';

reportTallyAtEnd();

const WORKERS = 8;
const ROUNDS = 20;
const TTL_S = 2;
/** Each round starts 0.9 s before expiry with minValiditySeconds 1, so every process must refresh at once. */
const ROUND_LEAD_MS = 900;
/** The processes' own schedules fire at most 0.6 s before expiry (0.5 s lead + 0.1 s jitter): after the round began. */
const SETTINGS = { remainingFraction: 0.25, minSecondsBeforeExpiry: 0 };

/**
 * Eight processes (the windows of one user) on one store folder and one lock folder race to
 * refresh the same rotating session as it expires: the IdP must see every refresh token exactly
 * once, and every process must come away with the one new token.
 */
describe(`token lifecycle: ${WORKERS} processes share one session`, function () {
  this.timeout(180_000);
  let idp: TestIdp;
  let storeDir: string;
  let lockDir: string;
  let secrets: DirSecretStore;
  let store: SessionStore;
  let workers: Worker[] = [];
  const timing: string[] = [];

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: TTL_S, rotateRefreshTokens: true });
    storeDir = tempDir('agent-auth-store-');
    lockDir = tempDir('agent-auth-lock-');
    secrets = new DirSecretStore(storeDir);
    store = new SessionStore(secrets, silentLogger);
    const started = Date.now();
    workers = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        Worker.start({ storeDir, lockDir, provider: idpProvider(idp), settings: SETTINGS }),
      ),
    );
    timing.push(`${WORKERS} workers up in ${Date.now() - started} ms`);
    // Signed in by a ninth window; the workers learn of it through the store, as other windows do.
    const w = lifecycleWindow([idpProvider(idp)], { secrets, lockDir });
    await signInThroughIdp(w.service, 'dev', idp);
    w.service.dispose();
  });

  after(async () => {
    console.log(`      timing: ${timing.join('; ')}`);
    addToTally(idp);
    await Promise.all(workers.map((w) => w.stop()));
    secrets.close();
    await idp.close();
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(lockDir, { recursive: true, force: true });
  });

  /**
   * One race: waits until the token is about to expire, asks all workers at once, checks the
   * outcome. minValiditySeconds is a preference: a worker whose refresh is slow may get the old
   * token while it is still valid, and the refresh goes on; once it is stored, every worker must
   * hand out the one new token.
   */
  async function round(label: string): Promise<{ raced: boolean; ms: number }> {
    const s = await storedSession(store, 'dev');
    await sleep(s.expiresAt - ROUND_LEAD_MS - Date.now());
    const before = refreshGrants(idp);
    const started = Date.now();
    const replies = await Promise.all(workers.map((w) => w.get('dev', { minValiditySeconds: 1 })));
    const ms = Date.now() - started;
    for (const r of replies) {
      assert.ok(r.ok, `${label}: ${errorOf(r)}`);
      assert.ok(r.token!.expiresAt > r.at!, `${label}: a worker was handed an expired token`);
    }
    // The refresh the round started (in the foreground or, after a valid token was handed out, behind it) lands in the store.
    await waitFor(
      async () => (await storedSession(store, 'dev')).generation > s.generation,
      `${label}: the refresh to be stored`,
      10_000,
    );
    let after = await storedSession(store, 'dev');
    const refreshes = refreshGrants(idp) - before;
    assert.ok(refreshes <= 1, `${label}: ${refreshes} refreshes`);
    assert.equal(idp.stats.doubleRedemptions(), 0, `${label}: a refresh token was redeemed twice`);
    // A worker handed the old token finishes its refresh behind it (adopting the stored result): wait for all of them.
    let settled: WorkerReply[] = [];
    await waitFor(
      async () => {
        settled = await Promise.all(workers.map((w) => w.get('dev', { minValiditySeconds: 0 })));
        after = await storedSession(store, 'dev'); // the next cycle may have begun meanwhile
        return settled.every((r) => r.ok && r.token!.sha256 === sha256(after.accessToken!));
      },
      `${label}: every worker to hand out the stored token`,
      10_000,
    ).catch(() => undefined);
    for (const r of settled) {
      assert.ok(r.ok, `${label}: ${errorOf(r)}`);
      assert.equal(
        r.token!.sha256,
        sha256(after.accessToken!),
        `${label}: a worker holds another token than the store`,
      );
    }
    for (const r of replies) {
      if (r.ok && r.token!.sha256 !== sha256(after.accessToken!))
        assert.equal(r.token!.sha256, sha256(s.accessToken!), `${label}: a worker was handed a third token`);
    }
    assert.equal(idp.stats.doubleRedemptions(), 0, `${label}: a refresh token was redeemed twice`);
    const left = after.expiresAt - Date.now();
    assert.equal(
      (await introspect(idp, after.accessToken!)).active,
      true,
      `${label}: the shared token is not live at the IdP (${left} ms before its expiry)`,
    );
    addToTally(undefined, { cycles: refreshes, tokensChecked: replies.length, introspected: 1 });
    return { raced: refreshes === 1, ms };
  }

  it(`${ROUNDS} rounds: each refresh token redeemed once, all ${WORKERS} end with the same live token`, async () => {
    const latencies: number[] = [];
    const started = Date.now();
    let rounds = 0;
    while (latencies.length < ROUNDS && rounds < 2 * ROUNDS) {
      const r = await round(`round ${++rounds}`);
      if (r.raced) latencies.push(r.ms);
    }
    assert.equal(latencies.length, ROUNDS, `only ${latencies.length} of ${rounds} rounds were races`);
    assert.deepEqual(new Set(idp.stats.refreshRedemptions.values()), new Set([1]));
    latencies.sort((a, b) => a - b);
    timing.push(
      `${ROUNDS} raced rounds in ${Date.now() - started} ms; all ${WORKERS} answered in median ${latencies[ROUNDS >> 1]} ms, ` +
        `max ${latencies.at(-1)} ms`,
    );
  });

  it('after a crashed holder left its lock behind, the processes that reclaim it still redeem once', async () => {
    const latencies: number[] = [];
    for (let i = 1; i <= 8; i++) {
      // What proper-lockfile leaves when its holder dies: the lock folder, untouched since.
      const lock = join(lockDir, 'dev.lock');
      // A worker may still hold the real lock (a refresh that went on behind a valid token): plant it once that one is gone.
      for (let planted = false; !planted;) {
        await waitFor(() => !existsSync(lock), 'the live lock to be released');
        try {
          mkdirSync(lock);
          planted = true;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
      const longAgo = new Date(Date.now() - 120_000);
      utimesSync(lock, longAgo, longAgo);
      const r = await round(`stale lock ${i}`);
      assert.ok(r.raced, `stale lock ${i}: no refresh happened`);
      latencies.push(r.ms);
    }
    assert.deepEqual(new Set(idp.stats.refreshRedemptions.values()), new Set([1]));
    timing.push(`stale-lock rounds answered in ${latencies.join(', ')} ms`);
  });
});

const errorOf = (r: WorkerReply) => (r.ok ? '' : `${r.error.code}: ${r.error.message}`);
