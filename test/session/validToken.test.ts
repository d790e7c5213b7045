import assert from 'node:assert/strict';
import { HELPER_MAX_WAIT_MS } from '../../src/helper/server.js';
import type { Fault } from '../support/faultProxy.js';
import { FaultProxy } from '../support/faultProxy.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  sleep,
  tempDir,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

reportTallyAtEnd();

/**
 * A valid token is never refused: while the token in hand is valid, a refresh that is slow or
 * failing hands out that token (the minimum validity is a preference) and keeps refreshing in the
 * background. Real IdP behind the fault proxy, 30 s tokens, consumers asking as agent-auth-token does.
 */
describe('token lifecycle: a valid token is never refused', function () {
  this.timeout(120_000);
  let idp: TestIdp;
  let proxy: FaultProxy;
  let w: Window;
  let log: RecordingLogger;

  async function setUp(ttl: number): Promise<void> {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: ttl, rotateRefreshTokens: true });
    const secrets = new MemorySecretStore();
    const lockDir = tempDir('agent-auth-lock-');
    const setup = lifecycleWindow([idpProvider(idp)], { secrets, lockDir });
    const session = await signInThroughIdp(setup.service, 'dev', idp);
    setup.service.dispose();
    proxy = await FaultProxy.start(idp.issuer);
    await pointTokenEndpointAt(setup.store, 'dev', proxy.url(session.endpoints.token_endpoint));
    log = new RecordingLogger();
    // The bounded fetch gives up after 5 s: a hang is a 5 s wait, then a timeout.
    w = lifecycleWindow([idpProvider(idp)], { secrets, lockDir, timeoutMs: 5_000, log });
    await w.service.getAccessToken('dev');
    idp.stats.reset();
  }

  afterEach(async () => {
    addToTally(idp);
    w?.service.dispose();
    await proxy?.close();
    await idp?.close();
  });

  /** Asks like agent-auth-token every `everyMs` for `forMs`; counts refusals while the last token handed out was still valid. */
  async function consume(forMs: number, everyMs: number) {
    const r = { handedOut: 0, expired: 0, refusalsWhileValid: 0, refusals: 0, slowest: 0, tokens: [] as string[] };
    let last: { expiresAt: number } | undefined;
    const end = Date.now() + forMs;
    while (Date.now() < end) {
      const asked = Date.now();
      try {
        const t = await w.service.getAccessToken('dev', { maxWaitMs: HELPER_MAX_WAIT_MS });
        r.handedOut++;
        if (t.expiresAt <= Date.now()) r.expired++;
        r.tokens.push(t.accessToken);
        last = t;
      } catch {
        r.refusals++;
        if (last && last.expiresAt > Date.now()) r.refusalsWhileValid++;
      }
      r.slowest = Math.max(r.slowest, Date.now() - asked);
      await sleep(Math.max(0, asked + everyMs - Date.now()));
    }
    return r;
  }

  it('every third token request answers 503 or hangs 5 s: 0 refusals while a valid token exists, 0 expired tokens', async () => {
    await setUp(30);
    // Every third request, from the first: 503, hang, 503, ... (at 30 s tokens a cycle makes one or two requests).
    proxy.program((n): Fault =>
      n % 3 !== 0 ? { kind: 'pass' } : (n / 3) % 2 === 0 ? { kind: 'status', status: 503 } : { kind: 'hang' },
    );
    const r = await consume(58_000, 1_000);
    const refreshes = refreshGrants(idp);
    const faults = proxy.requests.filter((q) => q.fault !== 'pass').length;
    addToTally(undefined, { cycles: refreshes, expiredTokensSeen: r.expired, tokensChecked: r.handedOut });
    assert.ok(refreshes >= 3, `${refreshes} refreshes at the IdP`);
    assert.ok(faults >= 2 && proxy.requests.some((q) => q.fault === 'hang'), `${faults} faults injected`);
    assert.equal(r.refusalsWhileValid, 0);
    assert.equal(r.refusals, 0);
    assert.equal(r.expired, 0);
    assert.ok(r.slowest < 10_000, `slowest answer ${r.slowest} ms`);
    assert.equal((await introspect(idp, r.tokens.at(-1)!)).active, true);
    assert.equal(idp.stats.doubleRedemptions(), 0);
  });

  it('the token endpoint fails for good: the valid token is handed out until it expires, the log says refresh is failing, then a refusal says why', async () => {
    await setUp(12);
    proxy.program(() => ({ kind: 'status', status: 503 }));
    const held = w.service.state('dev')!.session!;
    const r = await consume(held.expiresAt - Date.now() + 2_500, 500);
    assert.ok(r.handedOut >= 10, `${r.handedOut} tokens handed out while the token was valid`);
    assert.equal(r.refusalsWhileValid, 0);
    assert.equal(r.expired, 0);
    assert.ok(r.refusals >= 1, 'after expiry, a refusal');
    assert.match(log.text(), /Refresh of Dev IdP (is failing|failed)/);
    await assert.rejects(w.service.getAccessToken('dev', { maxWaitMs: 1_000 }), /took longer than 1 s|503/);
  });
});
