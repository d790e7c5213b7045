import assert from 'node:assert/strict';
import { AccountRegistry, ACCOUNTS_KEY_PREFIX } from '../../src/session/accounts/accounts.js';
import { accountIndexFrom, AccountIndexSchema } from '../../src/session/accounts/accountIndex.js';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { type Logger, silentLogger } from '../../src/protocol/log.js';
import { lifecycleWindow, tempDir, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

/** The account index as read from SecretStorage: forgiving, part by part (no IdP needed: nothing signs in). */
describe('accounts: the stored account index', () => {
  const now = Date.now();
  /** One of each kind of bad part beside good ones. */
  const partlyInvalid = {
    lanes: ['dev#2', 'other#3', 'dev#x', 5, 'dev#3', 'dev#2#4', 'dev#1234567'],
    default: 'other#2',
    scopes: { 'dev#3': ['openid', 'offline_access', 'email'], 'dev#9': ['email'], 'dev#2': [1] },
    reserved: { 'dev#7': now, 'dev#2': now, 'dev#5': 'soon', 'dev#6': null, 'other#8': now },
  };

  it('a bad lane, default, scope set or reservation is dropped on its own; the rest is kept', () => {
    const ix = accountIndexFrom('dev', partlyInvalid);
    assert.deepEqual(ix, {
      lanes: ['dev#2', 'dev#3'],
      scopes: { 'dev#3': ['openid', 'offline_access', 'email'] },
      reserved: { 'dev#7': now },
    });
    assert.ok(AccountIndexSchema.safeParse(ix).success, 'what is kept is a valid index');
    assert.deepEqual(accountIndexFrom('dev', { lanes: 'dev#2', default: 'dev', scopes: [], reserved: 5 }), {
      lanes: [],
      default: 'dev',
    });
    assert.deepEqual(accountIndexFrom('dev', { lanes: ['dev#2'], default: 'dev#2' }), {
      lanes: ['dev#2'],
      default: 'dev#2',
    });
    for (const value of [5, 'dev#2', true, [], ['dev#2']])
      assert.deepEqual(accountIndexFrom('dev', value), { lanes: [] });
  });

  describe('in a window', () => {
    const open: { w: Window; accounts: AccountRegistry }[] = [];
    afterEach(() => {
      for (const { w, accounts } of open.splice(0)) {
        accounts.dispose();
        w.service.dispose();
      }
    });
    const provider: ProviderConfig = {
      id: 'dev',
      label: 'Dev IdP',
      issuer: 'https://idp.invalid',
      clientId: 'agent-auth',
      scopes: ['openid', 'offline_access'],
      allowedScopes: ['openid', 'offline_access', 'email'],
      flow: 'authorizationCode',
      envVar: 'DEV_TOKEN',
    };
    async function window(stored: string, log: Logger = silentLogger) {
      const secrets = new MemorySecretStore();
      secrets.entries.set(ACCOUNTS_KEY_PREFIX + 'dev', stored);
      const w = lifecycleWindow([], { secrets, lockDir: tempDir('agent-auth-lock-') });
      const accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log });
      open.push({ w, accounts });
      await accounts.setProviders([provider]);
      return { w, accounts, secrets };
    }

    it('a partly invalid index: the good lanes, scope sets and reservations are used', async () => {
      const { w, accounts } = await window(JSON.stringify(partlyInvalid));
      assert.deepEqual(accounts.lanes('dev'), ['dev', 'dev#2', 'dev#3']);
      assert.deepEqual(accounts.scopesOf('dev#3'), ['openid', 'offline_access', 'email']);
      assert.equal(accounts.scopesOf('dev#2'), undefined);
      assert.equal(accounts.defaultLane('dev'), 'dev');
      assert.deepEqual(
        ['dev', 'dev#2', 'dev#3'].map((l) => w.service.state(l)?.provider.scopes),
        [
          ['openid', 'offline_access'],
          ['openid', 'offline_access'],
          ['openid', 'offline_access', 'email'],
        ],
        'the service has every lane, the scope-set lane with its set',
      );
      // The reservation of dev#7 was kept: the next lane is numbered after it.
      let lane = '';
      await accounts.addAccount('dev', async (p) => ((lane = p.id), false), { scopes: ['email', 'openid'] });
      assert.equal(lane, 'dev#8');
    });

    for (const stored of ['{"lanes": ["dev#2"', 'null'])
      it(`an unreadable index (${stored}) is logged and a new one begins`, async () => {
        const lines: string[] = [];
        const { accounts, secrets } = await window(stored, { ...silentLogger, warn: (m) => lines.push(m) });
        assert.deepEqual(accounts.lanes('dev'), ['dev']);
        assert.deepEqual(lines, ['The account list of "dev" is unreadable; starting a new one.']);
        let lane = '';
        await accounts.addAccount('dev', async (p) => ((lane = p.id), false), { scopes: ['email'] });
        assert.equal(lane, 'dev#2');
        assert.equal(await secrets.get(ACCOUNTS_KEY_PREFIX + 'dev'), undefined, 'the cancelled sign-in left nothing');
      });
  });
});
