import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/protocol/log.js';
import { PeerChannel } from '../../src/peers/peerChannel.js';
import { HELPER_MAX_WAIT_MS, startTokenHelperServer } from '../../src/helper/server.js';
import { tokenSource } from '../../src/vscode/tokenSource.js';
import { runHelper } from '../helper/harness.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, refreshGrants, sha256 } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  sleep,
  storedSession,
  tempDir,
  waitFor,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

reportTallyAtEnd();

const SHORT = { remainingFraction: 0.25, minSecondsBeforeExpiry: 1.5 };

/**
 * Web windows (code-server, vscode.dev): each window's SecretStorage lives in its browser tab, so
 * one window NEVER sees another's writes. Two TokenServices over separate stores that share only
 * the lock folder (marker) and the peers folder, against the real IdP with refresh-token rotation.
 */
describe('token lifecycle: windows whose SecretStorage never sees the other’s writes', function () {
  this.timeout(60_000);
  let idp: TestIdp | undefined;
  let windows: Window[] = [];
  let channels: PeerChannel[] = [];

  afterEach(async () => {
    windows.forEach((w) => w.service.dispose());
    windows = [];
    await Promise.all(channels.map((c) => c.close()));
    channels = [];
    if (idp) addToTally(idp);
    await idp?.close();
    idp = undefined;
  });

  async function twoWebWindows(o: { ttl: number; peers: boolean; waitTimeoutMs?: number; logB?: RecordingLogger }) {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: o.ttl, rotateRefreshTokens: true });
    const lockDir = tempDir('agent-auth-lock-');
    const dir = join(tempDir('agent-auth-run-'), 'peers');
    const window = (log = silentLogger) => {
      const peers = o.peers ? new PeerChannel(dir, silentLogger) : undefined;
      if (peers) channels.push(peers);
      return lifecycleWindow([idpProvider(idp!)], {
        secrets: new MemorySecretStore(),
        lockDir,
        settings: SHORT,
        peers,
        waitTimeoutMs: o.waitTimeoutMs,
        log,
      });
    };
    const a = window();
    const b = window(o.logB);
    windows = [a, b];
    await Promise.all(channels.map((c) => c.whenReady()));
    return { idp, a, b, dir };
  }

  it('both windows keep getting live tokens through several rotations, each refresh token redeemed once', async () => {
    const { idp, a, b } = await twoWebWindows({ ttl: 3, peers: true });
    await signInThroughIdp(a.service, 'dev', idp);
    // B's store never sees the sign-in: A handed it over.
    await waitFor(() => b.service.state('dev')?.session !== undefined, 'window B to receive the sign-in');
    let handedOut = 0;
    let expired = 0;
    let refusals = 0;
    let introspected = 0;
    let deadAtIdp = 0;
    const started = Date.now();
    const consume = async (w: Window) => {
      while (Date.now() - started < 12_000) {
        try {
          const t = await w.service.getAccessToken('dev');
          handedOut++;
          if (t.expiresAt <= Date.now()) expired++;
          if (handedOut % 10 === 0) {
            // At once: a 3 s token is dead soon after. Dead while its expiry (less the IdP's whole-second rounding) is still ahead is a failure.
            const live = (await introspect(idp, t.accessToken)).active;
            introspected++;
            if (!live && t.expiresAt - 1_000 > Date.now()) deadAtIdp++;
          }
        } catch {
          refusals++;
        }
        await sleep(100);
      }
    };
    await Promise.all([consume(a), consume(b)]);
    const refreshes = refreshGrants(idp);
    addToTally(undefined, { cycles: refreshes, expiredTokensSeen: expired, tokensChecked: handedOut, introspected });
    assert.ok(refreshes >= 5, `${refreshes} refreshes in 12 s`);
    assert.equal(idp.stats.doubleRedemptions(), 0);
    assert.equal(refusals, 0, 'no window refused a token');
    assert.equal(expired, 0);
    assert.ok(introspected >= 10, `${introspected} tokens introspected`);
    assert.equal(deadAtIdp, 0, 'the tokens handed out are live at the IdP');
    // Both windows end on the same generation, and each wrote it into its own store.
    const [sa, sb] = [a, b].map((w) => w.service.state('dev')!.session!);
    await waitFor(
      async () => (await storedSession(b.store, 'dev')).generation >= sb.generation,
      'B to store what it was handed',
    );
    assert.ok(Math.abs(sa.generation - sb.generation) <= 1, `generations ${sa.generation} and ${sb.generation}`);
  });

  it('a window that takes the lock behind the marker asks the other window instead of waiting for its store', async () => {
    const { idp, a, b } = await twoWebWindows({ ttl: 60, peers: true });
    await signInThroughIdp(a.service, 'dev', idp);
    await waitFor(() => b.service.state('dev')?.session !== undefined, 'window B to receive the sign-in');
    channels[1].serve({ lookup: () => undefined, receive: () => undefined, signedOut: () => undefined }); // B now ignores pushes: only asking can help
    const fromA = await a.service.refreshNow('dev');
    const started = Date.now();
    const fromB = await b.service.refreshNow('dev');
    assert.equal(sha256(fromB.accessToken!), sha256(fromA.accessToken!), 'B uses A’s new token');
    assert.equal(
      (await storedSession(b.store, 'dev')).generation,
      fromA.generation,
      'and stored it in its own SecretStorage',
    );
    assert.ok(Date.now() - started < 2_000, 'B did not wait for a propagation that never comes');
    assert.equal(refreshGrants(idp), 1);
    assert.equal(idp.stats.doubleRedemptions(), 0);
  });

  it('never takes an older generation, nor one the marker does not name, from a peer', async () => {
    const logB = new RecordingLogger();
    const { idp, a, b, dir } = await twoWebWindows({ ttl: 60, peers: true, logB });
    const old = await signInThroughIdp(a.service, 'dev', idp);
    await waitFor(() => b.service.state('dev')?.session !== undefined, 'window B to receive the sign-in');
    const now = await a.service.refreshNow('dev');
    await waitFor(
      () => b.service.state('dev')?.session?.generation === now.generation,
      'window B to receive the refresh',
    );
    const stale = new PeerChannel(dir, silentLogger); // a window still holding generation 0, or anything with the key
    channels.push(stale);
    await stale.publish(old);
    await waitFor(
      () =>
        logB
          .text()
          .includes(
            `Ignored generation ${old.generation} of Dev IdP from another window: the marker names another generation`,
          ),
      'B to ignore it',
    );
    await stale.publish({ ...now, sessionId: 'planted', accessToken: 'planted' });
    await waitFor(
      () => logB.lines.filter((l) => l.includes('Ignored generation')).length === 2,
      'B to ignore the planted one',
    );
    assert.equal(sha256(b.service.state('dev')!.session!.accessToken!), sha256(now.accessToken!));
    assert.equal((await storedSession(b.store, 'dev')).generation, now.generation);
  });

  it('a sign-out in one window signs the other out too, and a later sign-in reaches it', async () => {
    const { idp, a, b } = await twoWebWindows({ ttl: 60, peers: true });
    const first = await signInThroughIdp(a.service, 'dev', idp);
    await waitFor(async () => (await b.store.read('dev')).kind === 'ok', 'window B to store the sign-in');
    await a.service.signOut('dev');
    await waitFor(() => b.service.state('dev')?.session === undefined, 'window B to sign out as well');
    await waitFor(async () => (await b.store.read('dev')).kind === 'missing', 'window B’s store to forget it');
    await assert.rejects(b.service.getAccessToken('dev'), /Not signed in/);
    assert.equal((await introspect(idp, first.refreshToken!)).active, false);
    const second = await signInThroughIdp(a.service, 'dev', idp);
    await waitFor(
      () => b.service.state('dev')?.session?.sessionId === second.sessionId,
      'window B to take the new sign-in',
    );
    assert.equal(sha256((await b.service.getAccessToken('dev')).accessToken), sha256(second.accessToken!));
  });

  it('control: without the handoff, the second window cannot get past the marker', async () => {
    const { idp, a, b } = await twoWebWindows({ ttl: 60, peers: false });
    const s = await signInThroughIdp(a.service, 'dev', idp);
    await b.store.write(s); // as if B had seen the sign-in
    await a.service.refreshNow('dev');
    await assert.rejects(b.service.refreshNow('dev'), /has not reached this window/);
    assert.equal(idp.stats.doubleRedemptions(), 0);
  });

  it('agent-auth-token’s wait is bounded: a caller whose refresh cannot finish is told why within its limit', async () => {
    const { idp, a, b } = await twoWebWindows({ ttl: 60, peers: false });
    const s = await signInThroughIdp(a.service, 'dev', idp);
    await b.store.write({ ...s, expiresAt: Date.now() - 1 }); // B's copy expired, and its store never catches up
    await a.service.refreshNow('dev');
    const started = Date.now();
    await assert.rejects(b.service.getAccessToken('dev', { maxWaitMs: 3_000 }), /took longer than 3 s/);
    const waited = Date.now() - started;
    assert.ok(waited < 10_000, `waited ${waited} ms`);
  });
});

describe('agent-auth-token in a window that cannot get a token', function () {
  this.timeout(60_000);
  it('gives up within 10 s and says why', async () => {
    const idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
    const lockDir = tempDir('agent-auth-lock-');
    const a = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), lockDir });
    const b = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), lockDir });
    const server = await startTokenHelperServer({ dir: tempDir('agent-auth-run-'), source: tokenSource(b.service) });
    try {
      const s = await signInThroughIdp(a.service, 'dev', idp);
      // B's copy has expired and, with no handoff, its store never shows A's refresh: B cannot get a token.
      await b.store.write({ ...s, expiresAt: Date.now() - 1 });
      await a.service.refreshNow('dev');
      const started = Date.now();
      const r = await runHelper(['dev'], { ...process.env, ...server.env });
      const ms = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`took longer than ${HELPER_MAX_WAIT_MS / 1000} s`));
      assert.ok(ms < 10_000, `agent-auth-token blocked ${ms} ms`);
    } finally {
      await server.close();
      a.service.dispose();
      b.service.dispose();
      await idp.close();
    }
  });
});

describe('window handoff channel', function () {
  this.timeout(20_000);
  const channels: PeerChannel[] = [];
  afterEach(async () => Promise.all(channels.splice(0).map((c) => c.close())));

  it('keeps its folder 0700 with a 0600 key and 0600 sockets', async () => {
    const dir = join(tempDir('agent-auth-run-'), 'peers');
    const c = new PeerChannel(dir, silentLogger);
    channels.push(c);
    assert.equal(await c.whenReady(), true);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} is private`);
    assert.ok(readdirSync(dir).includes('key'));
  });

  it('refuses a folder other users can enter', async () => {
    const parent = tempDir('agent-auth-run-');
    const dir = join(parent, 'peers');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const c = new PeerChannel(dir, silentLogger);
    channels.push(c);
    assert.equal(await c.whenReady(), false);
  });

  it('drops a request without the folder’s key and never calls the window', async () => {
    const dir = join(tempDir('agent-auth-run-'), 'peers');
    const c = new PeerChannel(dir, silentLogger);
    channels.push(c);
    await c.whenReady();
    let called = 0;
    c.serve({ lookup: () => (called++, undefined), receive: () => void called++, signedOut: () => void called++ });
    const sock = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.sock'))!,
    );
    const answer = await new Promise<string>((resolve) => {
      const s = connect(sock, () =>
        s.write(
          JSON.stringify({ v: 1, key: 'x'.repeat(43), op: 'get', providerId: 'dev', sessionId: 's', generation: 0 }) +
            '\n',
        ),
      );
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(data));
    });
    assert.equal(answer, '');
    assert.equal(called, 0);
  });
});
