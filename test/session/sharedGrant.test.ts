import assert from 'node:assert/strict';
import type { Logger } from '../../src/protocol/log.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { IdpUserAgent } from '../fixtures/idpUserAgent.js';
import { LEDGER_KEY_PREFIX } from '../../src/session/revocation/revocationLedger.js';
import { introspect } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  storedSession,
  tempDir,
  waitFor,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

/**
 * oidc-provider (like Keycloak) keeps one grant per account and client, and revoking any refresh
 * token of a grant ends all of it. Two sessions of one account (a sign-in again, an account lane
 * and a scope-set lane) may therefore rest on one grant: revoking the one that goes must not end
 * the one that stays.
 */
describe('token lifecycle: a session that may share its grant with one in use is not revoked until the last of them signs out', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let w: Window | undefined;
  const lines: string[] = [];
  const log: Logger = {
    trace() {},
    debug() {},
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
  });
  after(async () => {
    addToTally(idp);
    await idp.close();
  });
  afterEach(() => {
    w?.service.dispose();
    w = undefined;
    lines.length = 0;
  });

  /** A window with the provider and a second lane of it (as accounts.ts makes), on its own store and lock folder. */
  const twoLanes = (secrets = new MemorySecretStore()): Window =>
    (w = lifecycleWindow([idpProvider(idp), { ...idpProvider(idp), id: 'dev#2' }], {
      secrets,
      lockDir: tempDir('agent-auth-lock-'),
      log,
    }));

  /** Both lanes signed in as the same account from one browser, which the IdP keeps signed in: one grant. */
  async function oneAccountTwice(): Promise<Window> {
    const win = twoLanes();
    const browser = new IdpUserAgent();
    await signInThroughIdp(win.service, 'dev', idp, { browser });
    await signInThroughIdp(win.service, 'dev#2', idp, { browser });
    return win;
  }

  it('signing in again as the same account: the new session keeps refreshing', async () => {
    w = lifecycleWindow([idpProvider(idp)], {
      secrets: new MemorySecretStore(),
      lockDir: tempDir('agent-auth-lock-'),
      log,
    });
    // One browser, still signed in at the IdP the second time: the IdP reuses its grant.
    const browser = new IdpUserAgent();
    const first = await signInThroughIdp(w.service, 'dev', idp, { browser });
    const second = await signInThroughIdp(w.service, 'dev', idp, { browser });
    assert.notEqual(first.sessionId, second.sessionId);
    // Revocation of a replaced session runs in the background: wait until it was decided.
    await waitFor(
      () => lines.some((l) => /forgotten, not revoked|Revoked the refresh token/.test(l)),
      'the earlier session to be dealt with',
    );
    await w.service.refreshNow('dev');
    const now = await storedSession(w.store, 'dev');
    assert.equal((await introspect(idp, now.refreshToken!)).active, true, 'the new session’s grant is alive');
  });

  it('signing out of one of two sessions of the same account leaves the other one working', async () => {
    // Two entries of one client, as an account lane or a scope-set lane of accounts.ts is.
    const w = await oneAccountTwice();
    await w.service.signOut('dev#2');
    await w.service.refreshNow('dev');
    const kept = await storedSession(w.store, 'dev');
    assert.equal((await introspect(idp, kept.refreshToken!)).active, true, 'the remaining session’s grant is alive');
  });

  it('signing out of the last session of the account revokes it', async () => {
    const w = await oneAccountTwice();
    await w.service.signOut('dev#2');
    const last = await w.service.refreshNow('dev');
    await w.service.signOut('dev');
    assert.equal(
      (await introspect(idp, last.refreshToken!)).active,
      false,
      'the last session’s refresh token is revoked',
    );
  });

  /**
   * Servers that issue a grant per authorization (Auth0, Okta…; here: a fresh browser, so the IdP
   * makes a new grant each time) do not end a forgotten session with the last one: the ledger does.
   */
  describe('a grant per sign-in: forgotten tokens are revoked with the last session of the account', () => {
    it('two lanes of one account, signed out one after the other: both refresh tokens are dead', async () => {
      const secrets = new MemorySecretStore();
      const w = twoLanes(secrets);
      const first = await signInThroughIdp(w.service, 'dev', idp, { browser: new IdpUserAgent() });
      const second = await signInThroughIdp(w.service, 'dev#2', idp, { browser: new IdpUserAgent() });
      await w.service.signOut('dev#2');
      assert.equal(
        (await introspect(idp, second.refreshToken!)).active,
        true,
        'not revoked while the other session is signed in',
      );
      await w.service.refreshNow('dev');
      const last = await storedSession(w.store, 'dev');
      await w.service.signOut('dev');
      assert.equal(
        (await introspect(idp, last.refreshToken!)).active,
        false,
        'the last session’s refresh token is revoked',
      );
      assert.equal(
        (await introspect(idp, second.refreshToken!)).active,
        false,
        'the forgotten session’s refresh token is revoked too',
      );
      assert.equal((await introspect(idp, first.refreshToken!)).active, false);
      assert.equal(secrets.entries.has(`${LEDGER_KEY_PREFIX}dev`), false, 'the ledger is emptied');
      assert.ok(
        !lines.some((l) => l.includes(second.refreshToken!) || l.includes(last.refreshToken!)),
        'no token in the log',
      );
    });

    it('signing in again, then signing out: the replaced session’s refresh token is dead too', async () => {
      const secrets = new MemorySecretStore();
      w = lifecycleWindow([idpProvider(idp)], { secrets, lockDir: tempDir('agent-auth-lock-'), log });
      const first = await signInThroughIdp(w.service, 'dev', idp, { browser: new IdpUserAgent() });
      await signInThroughIdp(w.service, 'dev', idp, { browser: new IdpUserAgent() });
      await waitFor(() => lines.some((l) => /forgotten, not revoked/.test(l)), 'the replaced session to be forgotten');
      assert.equal(
        (await introspect(idp, first.refreshToken!)).active,
        true,
        'not revoked while the new session is signed in',
      );
      const last = await w.service.refreshNow('dev');
      await w.service.signOut('dev');
      assert.equal((await introspect(idp, last.refreshToken!)).active, false);
      // The replaced session's token is kept in the background after the sign-in: revoked by the sign-out, or right after it if it came later.
      await waitFor(
        async () => !(await introspect(idp, first.refreshToken!)).active,
        'the replaced session’s refresh token to be revoked',
      );
      await waitFor(() => !secrets.entries.has(`${LEDGER_KEY_PREFIX}dev`), 'the ledger to be emptied');
    });
  });

  it('a settings change that signs out one lane leaves a lane of the same account that still matches working', async () => {
    const secrets = new MemorySecretStore();
    const w = twoLanes(secrets);
    const browser = new IdpUserAgent();
    await signInThroughIdp(w.service, 'dev', idp, { browser });
    await signInThroughIdp(w.service, 'dev#2', idp, { browser });
    // dev's session was made for other scopes than configured now: it is signed out.
    w.service.setProviders([
      idpProvider(idp, { scopes: ['openid', 'offline_access', 'profile'] }),
      { ...idpProvider(idp), id: 'dev#2' },
    ]);
    await waitFor(
      () => lines.some((l) => /forgotten, not revoked|Revoked the refresh token/.test(l)),
      'the retired session to be dealt with',
    );
    const kept = await w.service.refreshNow('dev#2');
    assert.equal((await introspect(idp, kept.refreshToken!)).active, true, 'the remaining lane’s grant is alive');
    await w.service.signOut('dev#2');
    assert.equal((await introspect(idp, kept.refreshToken!)).active, false);
    await waitFor(() => !secrets.entries.has(`${LEDGER_KEY_PREFIX}dev`), 'the ledger to be emptied');
  });

  it('a different account is still revoked at sign-out', async () => {
    const w = twoLanes();
    await signInThroughIdp(w.service, 'dev', idp);
    const other = await signInThroughIdp(w.service, 'dev#2', idp, { accountId: 'someone-else' });
    await w.service.signOut('dev#2');
    assert.equal(
      (await introspect(idp, other.refreshToken!)).active,
      false,
      'the other account’s refresh token is revoked',
    );
    await w.service.refreshNow('dev');
  });
});
