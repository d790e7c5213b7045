import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PeerChannel } from '../../src/peers/peerChannel.js';
import { AccountRegistry, ACCOUNTS_KEY_PREFIX, lanesFromPeers } from '../../src/session/accounts/accounts.js';
import { SessionError } from '../../src/session/errors.js';
import { sessionKey } from '../../src/session/store/sessionRecord.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect, revokeAtIdp } from '../support/idpChecks.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir, waitFor, type Window } from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { type Logger, silentLogger } from '../../src/protocol/log.js';
import { lanesForScopes } from '../../src/session/accounts/scopeMatch.js';
import { IdpUserAgent } from '../fixtures/idpUserAgent.js';
import { tokenSource } from '../../src/vscode/tokenSource.js';
import type { ProviderConfig } from '../../src/session/config/config.js';

reportTallyAtEnd();

const unknownAccount = (e: unknown) => e instanceof SessionError && e.code === 'unknown_account';

/** Several accounts of one provider side by side, each in its own lane, against the real test IdP. */
describe('accounts: several accounts per provider', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let lockDir = '';
  const open: { w: Window; accounts: AccountRegistry }[] = [];

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 300 });
  });
  after(async () => {
    addToTally(idp);
    await idp.close();
  });
  beforeEach(() => (lockDir = tempDir('agent-auth-lock-')));
  afterEach(() => {
    for (const { w, accounts } of open.splice(0)) {
      accounts.dispose();
      w.service.dispose();
    }
  });

  /** A window as the extension wires it: the registry hands the service its lanes. */
  async function window(secrets: MemorySecretStore, patch: Partial<ProviderConfig> = {}, log: Logger = silentLogger) {
    const w = lifecycleWindow([], { secrets, lockDir });
    const accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log });
    await accounts.setProviders([idpProvider(idp, patch)]);
    open.push({ w, accounts });
    return { w, accounts };
  }

  /** Signs in to an account through the IdP's login page (its label is the user name, the ID token's `sub`); returns the authorization URL the server saw. */
  async function addAccount(x: { w: Window; accounts: AccountRegistry }, accountId: string) {
    let url: URL | undefined;
    const lane = await x.accounts.addAccount('dev', async (p) => {
      await signInThroughIdp(x.w.service, p.id, idp, { accountId, onAuthorizationUrl: (u) => (url = u) });
      return true;
    });
    return { lane: lane!, url: url! };
  }

  it('two accounts side by side: each its own token; "dev" is the default, dev@<account> names one; the second sign-in asks for the account picker', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    const first = await addAccount(x, 'alice@example.com');
    assert.equal(first.lane, 'dev', 'the first account keeps the bare provider id');
    assert.equal(first.url.searchParams.get('prompt'), null, 'a first sign-in is an ordinary one');
    const second = await addAccount(x, 'bob@example.com');
    assert.notEqual(second.lane, 'dev');
    assert.equal(second.url.searchParams.get('prompt'), 'select_account');

    assert.deepEqual(
      x.accounts.accounts('dev').map((a) => a.label),
      ['alice@example.com', 'bob@example.com'],
    );
    const tokenOf = async (ref: string) => (await x.w.service.getAccessToken(x.accounts.resolve(ref))).accessToken;
    const alice = await tokenOf('dev@alice@example.com');
    const bob = await tokenOf('dev@BOB');
    assert.notEqual(alice, bob);
    assert.equal((await introspect(idp, alice)).sub, 'alice@example.com');
    assert.equal((await introspect(idp, bob)).sub, 'bob@example.com');
    assert.equal(await tokenOf('dev'), alice, 'the default is the first account until another is chosen');
    assert.equal(await tokenOf(second.lane), bob, 'a lane id names itself');
    assert.throws(
      () => x.accounts.resolve('dev@carol'),
      (e: unknown) => unknownAccount(e) && /alice@example\.com, bob@example\.com/.test((e as Error).message),
    );
    assert.throws(
      () => x.accounts.resolve('nope@alice'),
      (e: unknown) => e instanceof SessionError && e.code === 'unknown_provider',
    );
  });

  it('the default account chosen in one window is the default in another (SecretStorage), and survives a restart', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    await addAccount(x, 'alice@example.com');
    const { lane } = await addAccount(x, 'bob@example.com');
    const y = await window(secrets);
    await waitFor(() => y.accounts.accounts('dev').length === 2, 'the other window to see both accounts');
    await x.accounts.setDefault(lane);
    assert.equal(x.accounts.resolve('dev'), lane);
    await waitFor(() => y.accounts.resolve('dev') === lane, 'the other window to follow the default');
    const restarted = await window(secrets);
    await waitFor(() => restarted.accounts.accounts('dev').length === 2, 'a restarted window to load both accounts');
    assert.equal(restarted.accounts.resolve('dev'), lane);
    assert.equal(
      (await restarted.w.service.getAccessToken(restarted.accounts.resolve('dev'))).account.label,
      'bob@example.com',
    );
  });

  it('signing out of one account leaves the others (its refresh token revoked, the default falls back)', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    await addAccount(x, 'alice@example.com');
    const bob = await addAccount(x, 'bob@example.com');
    const bobSession = x.w.service.state(bob.lane)!.session!;
    await x.accounts.setDefault(bob.lane);
    await x.accounts.signOut(bob.lane);
    assert.deepEqual(
      x.accounts.accounts('dev').map((a) => a.label),
      ['alice@example.com'],
    );
    assert.equal(x.accounts.resolve('dev'), 'dev', 'the default falls back to the account that is left');
    assert.equal(await secrets.get(sessionKey(bob.lane)), undefined);
    assert.equal(
      (await introspect(idp, bobSession.refreshToken!)).active,
      false,
      'the signed-out account’s refresh token is revoked',
    );
    assert.ok((await x.w.service.getAccessToken('dev')).accessToken, 'alice keeps her token');
    assert.equal(
      await secrets.get(ACCOUNTS_KEY_PREFIX + 'dev'),
      undefined,
      'the index entry goes with the last further account',
    );
    assert.throws(() => x.accounts.resolve('dev@bob'), unknownAccount);
  });

  it('an account is named by its part before "@" only while that is unique', async () => {
    const x = await window(new MemorySecretStore());
    await addAccount(x, 'alice@example.com');
    const other = await addAccount(x, 'alice@other.example');
    assert.throws(
      () => x.accounts.resolve('dev@alice'),
      (e: unknown) => unknownAccount(e) && /matches several/.test((e as Error).message),
    );
    assert.equal(x.accounts.resolve('dev@Alice@Other.Example'), other.lane);
  });

  it('an account whose label has spaces is named by its id (the sub); each account shows the reference that reaches it', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    await addAccount(x, 'alice@example.com');
    const bob = await addAccount(x, 'bob@example.com');
    // A server whose label for the account is a display name ("name" before "sub").
    const s = x.w.service.state(bob.lane)!.session!;
    await x.w.store.write({ ...s, account: { id: 'u-4711', label: 'Bob Smith' }, generation: s.generation + 1 });
    await waitFor(
      () => x.w.service.state(bob.lane)?.session?.account.label === 'Bob Smith',
      'the window to read the new label',
    );
    assert.equal(x.accounts.resolve('dev@u-4711'), bob.lane);
    assert.equal(
      x.accounts.referenceOf(bob.lane),
      'dev@u-4711',
      'a label with spaces cannot be typed: the id reaches it',
    );
    assert.equal(x.accounts.referenceOf('dev'), 'dev@alice@example.com');
    for (const a of x.accounts.accounts('dev'))
      assert.equal(x.accounts.resolve(x.accounts.referenceOf(a.laneId)!), a.laneId);
    assert.throws(
      () => x.accounts.resolve('dev@carol'),
      (e: unknown) => unknownAccount(e) && /alice@example\.com, Bob Smith \(dev@u-4711\)/.test((e as Error).message),
    );
  });

  it('errors about a further account name it as provider label and account reference, never its lane id', async () => {
    const x = await window(new MemorySecretStore());
    await addAccount(x, 'alice@example.com');
    const bob = await addAccount(x, 'bob@example.com');
    assert.match(bob.lane, /#2$/);
    // The helper's own refusals (git hosts, an expired token) name the token by this.
    assert.equal(
      (await tokenSource(x.w.service, x.accounts).getAccessToken('dev@bob')).name,
      'Dev IdP (dev@bob@example.com)',
    );
    await revokeAtIdp(idp, x.w.service.state(bob.lane)!.session!.refreshToken!, 'refresh_token');
    const laneFree = (e: unknown) => {
      const m = (e as Error).message;
      assert.match(m, /Dev IdP \(dev@bob@example\.com\) needs you to sign in again/);
      assert.doesNotMatch(m, /#2|dev#/);
      return true;
    };
    await assert.rejects(x.w.service.refreshNow(bob.lane), laneFree);
    await assert.rejects(x.w.service.getAccessToken(bob.lane, { forceRefresh: true }), laneFree);
    // What the token helper answers agent-auth-token with (src/helper/server.ts prints the message).
    await assert.rejects(
      tokenSource(x.w.service, x.accounts).getAccessToken('dev@bob', { forceRefresh: true }),
      laneFree,
    );
    assert.equal(x.w.service.nameOf('dev'), 'Dev IdP (dev@alice@example.com)');
  });

  it('signing in again as an account the provider already has keeps one lane for it', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    await addAccount(x, 'alice@example.com');
    const again = await addAccount(x, 'alice@example.com');
    assert.equal(again.lane, 'dev');
    assert.deepEqual(
      x.accounts.accounts('dev').map((a) => a.laneId),
      ['dev'],
    );
  });

  describe('signing in again to an account whose refresh token died', () => {
    /** The authorization requests the IdP received (its `interaction.started`: a fresh browser always gets the login page). */
    let received: Record<string, unknown>[] = [];
    const record = (ctx: { oidc: { params?: Record<string, unknown> } }) => received.push({ ...ctx.oidc.params });
    beforeEach(() => {
      received = [];
      idp.provider.on('interaction.started', record);
    });
    afterEach(() => void idp.provider.off('interaction.started', record));

    /** Two accounts; bob's (the second lane's) refresh token revoked at the IdP and found dead. */
    async function bobNeedsSignIn() {
      const x = await window(new MemorySecretStore());
      await addAccount(x, 'alice@example.com');
      const bob = await addAccount(x, 'bob@example.com');
      await revokeAtIdp(idp, x.w.service.state(bob.lane)!.session!.refreshToken!, 'refresh_token');
      await assert.rejects(
        x.w.service.refreshNow(bob.lane),
        (e: unknown) => e instanceof SessionError && e.code === 'needs_sign_in',
      );
      assert.equal(
        x.w.service.state(bob.lane)!.session!.account.label,
        'bob@example.com',
        'the dead session remembers whose it was',
      );
      received = [];
      return { x, lane: bob.lane };
    }

    it('the sign-in names the account to the server: login_hint and, with several accounts, the account picker', async () => {
      const { x, lane } = await bobNeedsSignIn();
      const again = await signInThroughIdp(x.w.service, lane, idp, { accountId: 'bob@example.com' });
      assert.ok(received.length >= 1, 'the IdP received the authorization request');
      assert.equal(received[0].login_hint, 'bob@example.com');
      assert.equal(received[0].prompt, 'select_account');
      assert.equal(again.account.label, 'bob@example.com');
      assert.equal(x.accounts.resolve('dev@bob'), lane);
      assert.equal(
        (await introspect(idp, (await x.w.service.getAccessToken(lane)).accessToken)).sub,
        'bob@example.com',
      );
    });

    it('the entry’s own prompt and login_hint are sent instead', async () => {
      const x = await window(new MemorySecretStore(), {
        authorizationParameters: { prompt: 'login', login_hint: 'someone' },
      });
      await addAccount(x, 'alice@example.com');
      received = [];
      await signInThroughIdp(x.w.service, 'dev', idp, { accountId: 'alice@example.com' });
      assert.equal(received[0].login_hint, 'someone');
      assert.equal(received[0].prompt, 'login');
    });

    it('the server signs in an account another lane holds: refused with both accounts named, that lane keeps it, nothing revoked', async () => {
      const { x, lane } = await bobNeedsSignIn();
      const alice = x.w.service.state('dev')!.session!;
      // The browser's current account is alice, and the IdP ignores the hint.
      await assert.rejects(
        signInThroughIdp(x.w.service, lane, idp, { accountId: 'alice@example.com' }),
        (e: unknown) =>
          e instanceof SessionError &&
          e.code === 'account_in_use' &&
          /bob@example\.com/.test(e.message) &&
          /alice@example\.com/.test(e.message) &&
          !/#/.test(e.message),
      );
      assert.equal(received[0].login_hint, 'bob@example.com');
      assert.deepEqual(
        x.accounts.accounts('dev').map((a) => [a.laneId, a.label]),
        [
          ['dev', 'alice@example.com'],
          [lane, 'bob@example.com'],
        ],
      );
      assert.ok(x.w.service.state(lane)!.session!.needsSignIn, 'the lane still waits for bob');
      assert.equal(x.w.service.state('dev')!.session!.sessionId, alice.sessionId, 'alice keeps her session');
      assert.equal(
        (await introspect(idp, alice.refreshToken!)).active,
        true,
        'alice’s grant is alive (the dropped session was not revoked)',
      );
      await x.w.service.refreshNow('dev');
    });
  });

  it('a cancelled sign-in of a further account leaves no lane behind', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    await addAccount(x, 'alice@example.com');
    const lane = await x.accounts.addAccount('dev', async () => false);
    assert.equal(lane, undefined);
    assert.deepEqual(x.accounts.lanes('dev'), ['dev']);
    assert.equal(x.w.service.getProviders().length, 1, 'lanes are not providers of their own');
  });

  it('web windows (SecretStorage never shared): an account added in one reaches the other through the window handoff', async () => {
    const dir = join(tempDir('agent-auth-run-'), 'peers');
    const channels: PeerChannel[] = [];
    const webWindow = async () => {
      const secrets = new MemorySecretStore();
      const channel = new PeerChannel(dir, silentLogger);
      channels.push(channel);
      let registry: AccountRegistry | undefined = undefined;
      const w = lifecycleWindow([], { secrets, lockDir, peers: lanesFromPeers(channel, () => registry) });
      registry = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log: silentLogger });
      await registry.setProviders([idpProvider(idp)]);
      open.push({ w, accounts: registry });
      return { w, accounts: registry };
    };
    try {
      const a = await webWindow();
      const b = await webWindow();
      await Promise.all(channels.map((c) => c.whenReady()));
      await addAccount(a, 'alice@example.com');
      const bob = await addAccount(a, 'bob@example.com');
      await waitFor(() => b.accounts.accounts('dev').length === 2, 'window B to learn of both accounts');
      assert.equal(b.accounts.resolve('dev@bob'), bob.lane);
      assert.equal(
        (await b.w.service.getAccessToken(b.accounts.resolve('dev@bob'))).accessToken,
        (await a.w.service.getAccessToken(bob.lane)).accessToken,
      );
    } finally {
      await Promise.all(channels.map((c) => c.close()));
    }
  });

  it('two windows adding an account at once get different lanes (the reservation is in the shared index)', async () => {
    const secrets = new MemorySecretStore();
    const x = await window(secrets);
    const y = await window(secrets);
    await addAccount(x, 'alice@example.com');
    await waitFor(() => y.accounts.accounts('dev').length === 1, 'the other window to see alice');
    // Both sign-ins are under way before either ends: neither lane is in the index's `lanes` yet.
    const started: string[] = [];
    let bothStarted!: () => void;
    const gate = new Promise<void>((r) => (bothStarted = r));
    const add = (z: typeof x, accountId: string) =>
      z.accounts.addAccount('dev', async (p) => {
        started.push(p.id);
        if (started.length === 2) bothStarted();
        await gate;
        await signInThroughIdp(z.w.service, p.id, idp, { accountId });
        return true;
      });
    const [bob, carol] = await Promise.all([add(x, 'bob@example.com'), add(y, 'carol@example.com')]);
    assert.notEqual(started[0], started[1], 'each window signs in to a lane of its own');
    assert.notEqual(bob, carol);
    for (const z of [x, y])
      await waitFor(() => z.accounts.accounts('dev').length === 3, 'both windows to see all three accounts');
    assert.deepEqual(
      x.accounts
        .accounts('dev')
        .map((a) => a.label)
        .sort(),
      ['alice@example.com', 'bob@example.com', 'carol@example.com'],
    );
    assert.equal((await x.w.service.getAccessToken(x.accounts.resolve('dev@bob'))).account.label, 'bob@example.com');
    assert.equal(
      (await x.w.service.getAccessToken(x.accounts.resolve('dev@carol'))).account.label,
      'carol@example.com',
    );
    assert.doesNotMatch(
      (await secrets.get(ACCOUNTS_KEY_PREFIX + 'dev'))!,
      /reserved/,
      'the reservations went with the sign-ins',
    );
  });

  describe('scope sets (getSession with scopes beyond the configured ones)', () => {
    const allowed = { allowedScopes: ['openid', 'offline_access', 'email'] };

    /** Alice's account, then a scope-set session with `email` (for her, unless the user picks another account at the IdP). */
    async function withScopeSet(
      x: { w: Window; accounts: AccountRegistry },
      browser?: IdpUserAgent,
      scopeAccount = 'alice@example.com',
    ) {
      await x.accounts.addAccount(
        'dev',
        async (p) => (
          await signInThroughIdp(x.w.service, p.id, idp, { accountId: 'alice@example.com', browser }),
          true
        ),
      );
      const lane = (await x.accounts.addAccount(
        'dev',
        async (p) => (await signInThroughIdp(x.w.service, p.id, idp, { accountId: scopeAccount, browser }), true),
        { scopes: ['email'] },
      ))!;
      return { lane, account: x.w.service.state('dev')!.session!, scoped: x.w.service.state(lane)!.session! };
    }

    it('a scope set within allowedScopes gets a session of its own with that grant; the account keeps its own', async () => {
      const secrets = new MemorySecretStore();
      const x = await window(secrets, allowed);
      await addAccount(x, 'alice@example.com');
      let url: URL | undefined;
      const lane = (await x.accounts.addAccount(
        'dev',
        async (p) => {
          await signInThroughIdp(x.w.service, p.id, idp, {
            accountId: 'alice@example.com',
            onAuthorizationUrl: (u) => (url = u),
          });
          return true;
        },
        { scopes: ['email'] },
      ))!;
      assert.notEqual(lane, 'dev');
      assert.deepEqual(url!.searchParams.get('scope')!.split(' ').sort(), ['email', 'offline_access', 'openid']);
      assert.equal(url!.searchParams.get('prompt'), null, 'a scope set is for the same account: no account picker');
      const scoped = await x.w.service.getAccessToken(lane);
      assert.match((await introspect(idp, scoped.accessToken)).scope!, /\bemail\b/);
      assert.doesNotMatch(
        (await introspect(idp, (await x.w.service.getAccessToken('dev')).accessToken)).scope!,
        /\bemail\b/,
      );
      assert.deepEqual(x.accounts.scopesOf(lane), ['openid', 'offline_access', 'email']);
      assert.deepEqual(
        x.accounts.accounts('dev').map((a) => a.laneId),
        ['dev'],
        'a scope set is no further account',
      );
      assert.equal(x.accounts.resolve('dev@alice'), 'dev');
      const restarted = await window(secrets, allowed);
      await waitFor(
        () => !!restarted.w.service.state(lane)?.session,
        'a restarted window to load the scope-set session',
      );
      assert.deepEqual(restarted.accounts.scopesOf(lane), ['openid', 'offline_access', 'email']);
    });

    it('scopes outside allowedScopes: a clear error naming them and what is allowed; nothing is signed in', async () => {
      const x = await window(new MemorySecretStore(), allowed);
      let asked = false;
      await assert.rejects(
        x.accounts.addAccount('dev', async () => (asked = true), { scopes: ['profile'] }),
        (e: unknown) =>
          e instanceof SessionError &&
          e.code === 'scope_not_allowed' &&
          /does not allow the scope profile \(its allowedScopes: openid offline_access email\)/.test(
            (e as Error).message,
          ),
      );
      assert.equal(asked, false);
      assert.deepEqual(x.accounts.lanes('dev'), ['dev']);
    });

    for (const grant of ['a grant of its own', 'the same grant (one browser, still signed in at the IdP)']) {
      it(`signing out of the account signs out its scope-set session too, both revoked (${grant})`, async () => {
        const secrets = new MemorySecretStore();
        const x = await window(secrets, allowed);
        const { lane, account, scoped } = await withScopeSet(
          x,
          grant.startsWith('the same') ? new IdpUserAgent() : undefined,
        );
        assert.deepEqual(
          x.accounts.scopeSets('dev').map((a) => a.laneId),
          [lane],
        );
        await x.accounts.signOut('dev');
        assert.equal(x.w.service.state(lane), undefined, 'the scope-set lane is gone');
        assert.deepEqual(x.accounts.lanes('dev'), ['dev']);
        assert.equal(await secrets.get(sessionKey(lane)), undefined);
        assert.equal(await secrets.get(ACCOUNTS_KEY_PREFIX + 'dev'), undefined);
        assert.equal(
          (await introspect(idp, account.refreshToken!)).active,
          false,
          'the account’s refresh token is revoked',
        );
        assert.equal(
          (await introspect(idp, scoped.refreshToken!)).active,
          false,
          'the scope-set session’s refresh token is revoked',
        );
      });
    }

    it('a scope-set session signs out alone; the account stays', async () => {
      const x = await window(new MemorySecretStore(), allowed);
      const { lane } = await withScopeSet(x, new IdpUserAgent());
      await x.accounts.signOut(lane);
      assert.deepEqual(x.accounts.lanes('dev'), ['dev']);
      assert.deepEqual(x.accounts.scopeSets('dev'), []);
      const kept = await x.w.service.refreshNow('dev');
      assert.equal((await introspect(idp, kept.refreshToken!)).active, true, 'the account keeps working');
    });

    it('narrowing allowedScopes signs out the scope-set sessions they no longer allow (forgotten, as it may share the account’s grant; lane dropped; one log line)', async () => {
      const secrets = new MemorySecretStore();
      const lines: string[] = [];
      const log: Logger = { ...silentLogger, info: (m) => lines.push(m), warn: (m) => lines.push(m) };
      const x = await window(secrets, allowed, log);
      const { lane } = await withScopeSet(x);
      lines.length = 0;
      await x.accounts.setProviders([idpProvider(idp, { allowedScopes: ['openid', 'offline_access'] })]);
      await x.accounts.settled();
      assert.equal(x.w.service.state(lane), undefined);
      assert.deepEqual(x.accounts.lanes('dev'), ['dev']);
      assert.equal(await secrets.get(sessionKey(lane)), undefined);
      const kept = await x.w.service.refreshNow('dev');
      assert.equal((await introspect(idp, kept.refreshToken!)).active, true, 'the account stays');
      assert.equal(lines.filter((l) => /allowedScopes no longer include email/.test(l)).length, 1, lines.join('\n'));
    });

    it('a window started with narrower allowedScopes signs out a stored scope-set session they no longer allow (another account’s: revoked)', async () => {
      const secrets = new MemorySecretStore();
      const x = await window(secrets, allowed);
      const { lane, scoped } = await withScopeSet(x, undefined, 'bob@example.com');
      const restarted = await window(secrets, { allowedScopes: ['openid', 'offline_access'] });
      await restarted.accounts.settled();
      assert.deepEqual(restarted.accounts.lanes('dev'), ['dev']);
      assert.equal((await introspect(idp, scoped.refreshToken!)).active, false);
      assert.ok(restarted.w.service.state('dev')!.session, 'the account stays');
      await waitFor(() => !x.w.service.state(lane), 'the first window to drop the lane too');
    });

    it('a window started with narrower allowedScopes keeps the account whose grant the scope set it signs out may share', async () => {
      const secrets = new MemorySecretStore();
      const x = await window(secrets, allowed);
      await withScopeSet(x, new IdpUserAgent());
      x.w.service.dispose();
      x.accounts.dispose();
      const restarted = await window(secrets, { allowedScopes: ['openid', 'offline_access'] });
      await restarted.accounts.settled();
      assert.deepEqual(restarted.accounts.lanes('dev'), ['dev']);
      const kept = await restarted.w.service.refreshNow('dev');
      assert.equal(
        (await introspect(idp, kept.refreshToken!)).active,
        true,
        'the account was not revoked with the scope set',
      );
    });

    it('least privilege: the scope-set session answers only a request beyond the configured scopes', async () => {
      const x = await window(new MemorySecretStore(), allowed);
      const { lane } = await withScopeSet(x);
      const base = x.w.service.getProviders()[0];
      const lanesFor = (wanted: string[]) => lanesForScopes(base, wanted, x.accounts, (l) => x.w.service.state(l));
      assert.deepEqual(lanesFor([]), ['dev'], 'no scopes: the account, not the broader session');
      assert.deepEqual(lanesFor(['openid']), ['dev'], 'the configured scopes: the account');
      assert.deepEqual(lanesFor(['email']), [lane], 'beyond them: the scope-set session');
      assert.deepEqual(lanesFor(['email', 'openid']), [lane]);
    });
  });
});
