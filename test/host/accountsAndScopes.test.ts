import assert from 'node:assert/strict';
import { silentLogger } from '../../src/protocol/log.js';
import { AccountRegistry } from '../../src/session/accounts/accounts.js';
import { AgentAuthProvider } from '../../src/vscode/authProvider.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { introspect } from '../support/idpChecks.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

/**
 * The agent-auth authentication provider in the real extension host, against the real test IdP:
 * several accounts of one provider, and getSession scopes beyond the configured ones.
 */
describe('agent-auth sessions: several accounts, and the scopes getSession asks for (real vscode, real IdP)', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let w: Window;
  let accounts: AccountRegistry;
  let auth: AgentAuthProvider;
  /** Who signs in at the IdP next (what the user would type on its login page). */
  const users: string[] = [];
  const prompts: (string | null)[] = [];

  beforeEach(async () => {
    idp = await startTestIdp({ accessTokenTtl: 600 });
    const secrets = new MemorySecretStore();
    w = lifecycleWindow([], { secrets });
    accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log: silentLogger });
    await accounts.setProviders([idpProvider(idp, { allowedScopes: ['openid', 'offline_access', 'email'] })]);
    const signIn = async (p: { id: string }) => {
      await signInThroughIdp(w.service, p.id, idp, {
        accountId: users.shift(),
        onAuthorizationUrl: (u) => prompts.push(u.searchParams.get('prompt')),
      });
      return true;
    };
    auth = new AgentAuthProvider(w.service, signIn, () => accounts.ready(), accounts);
  });
  afterEach(async () => {
    auth.dispose();
    accounts.dispose();
    w.service.dispose();
    await idp.close();
    users.length = 0;
    prompts.length = 0;
  });

  it('a second createSession signs in another account (prompt=select_account); both are sessions; removing one leaves the other', async () => {
    users.push('alice', 'bob');
    const alice = await auth.createSession(['provider:dev']);
    const bob = await auth.createSession(['provider:dev']);
    assert.deepEqual(prompts, [null, 'select_account']);
    assert.deepEqual([alice.account.label, bob.account.label], ['alice', 'bob']);
    assert.notEqual(alice.id, bob.id);
    assert.deepEqual(bob.scopes, ['provider:dev', 'openid', 'offline_access'], 'every account answers to provider:dev');
    assert.deepEqual(
      (await auth.getSessions(['provider:dev'])).map((s) => s.account.label),
      ['alice', 'bob'],
      'the default account first',
    );
    await accounts.setDefault(bob.id.slice(0, bob.id.indexOf('/')));
    assert.deepEqual(
      (await auth.getSessions(['provider:dev'])).map((s) => s.account.label),
      ['bob', 'alice'],
    );
    await auth.removeSession(bob.id);
    assert.deepEqual(
      (await auth.getSessions(['provider:dev'])).map((s) => s.account.label),
      ['alice'],
    );
    assert.equal((await introspect(idp, bob.accessToken)).active, false, 'the removed account’s tokens are revoked');
    assert.equal((await introspect(idp, alice.accessToken)).active, true);
  });

  it('getSession with a scope beyond the grant gets a session for that scope set (the IdP grants it); its scopes name the set', async () => {
    users.push('alice', 'alice');
    const plain = await auth.createSession(['provider:dev']);
    assert.deepEqual(await auth.getSessions(['provider:dev', 'email']), [], 'the session was not granted email');
    const scoped = await auth.createSession(['provider:dev', 'email']);
    assert.notEqual(scoped.id, plain.id);
    assert.equal(scoped.account.label, 'alice');
    assert.deepEqual(scoped.scopes, ['provider:dev', 'openid', 'offline_access', 'email']);
    assert.match((await introspect(idp, scoped.accessToken)).scope!, /\bemail\b/, 'the IdP granted the token email');
    assert.deepEqual(
      (await auth.getSessions(['provider:dev', 'email'])).map((s) => s.id),
      [scoped.id],
    );
    assert.deepEqual(
      (await auth.getSessions(['provider:dev'])).map((s) => s.id),
      [plain.id],
      'least privilege: the broader session only for a caller asking more',
    );
    assert.deepEqual(
      (await auth.getSessions(undefined)).map((s) => s.id),
      [plain.id],
    );
    assert.deepEqual(prompts, [null, null]);
    await auth.removeSession(plain.id);
    assert.deepEqual(
      await auth.getSessions(['provider:dev', 'email']),
      [],
      'signing out of the account signs out its scope set too',
    );
    assert.equal((await introspect(idp, scoped.accessToken)).active, false);
  });

  it('scopes outside allowedScopes: no session, and createSession says which scopes and what is allowed', async () => {
    users.push('alice');
    await auth.createSession(['provider:dev']);
    assert.deepEqual(await auth.getSessions(['provider:dev', 'profile']), []);
    await assert.rejects(
      auth.createSession(['provider:dev', 'profile']),
      /Dev IdP does not allow the scopes profile \(its allowedScopes: openid offline_access email\)/,
    );
    assert.deepEqual(prompts, [null], 'no sign-in was started');
  });
});
