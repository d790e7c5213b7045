import assert from 'node:assert/strict';
import { silentLogger } from '../../src/protocol/log.js';
import { AccountRegistry } from '../../src/session/accounts/accounts.js';
import { apiChange, apiToken } from '../../src/session/consumers/apiView.js';
import type { TokenChange } from '../../src/session/tokenService.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

/**
 * What other extensions get through the exported API (src/vscode/api.ts, api.d.ts) with two
 * accounts of one provider signed in against the real test IdP: the configured provider id for
 * both (never the internal lane id), and the account in its own field.
 */
describe('API: tokens and changes of several accounts', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 300 });
  });
  after(() => idp.close());

  it('name the configured provider and the account: a further account’s token, refresh and sign-out alike', async () => {
    const secrets = new MemorySecretStore();
    const w = lifecycleWindow([], { secrets, lockDir: tempDir('agent-auth-lock-') });
    const accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log: silentLogger });
    const heard: TokenChange[] = [];
    const sub = w.service.onDidChange((e) => heard.push(apiChange(e)));
    try {
      await accounts.setProviders([idpProvider(idp)]);
      const add = (accountId: string) =>
        accounts.addAccount('dev', async (lane) => {
          await signInThroughIdp(w.service, lane.id, idp, { accountId });
          return true;
        });
      await add('alice@example.com');
      const bobLane = (await add('bob@example.com'))!;
      assert.notEqual(bobLane, 'dev');

      const alice = apiToken(await w.service.getAccessToken('dev'));
      const bob = apiToken(await w.service.getAccessToken(bobLane));
      assert.equal(alice.providerId, 'dev', 'one account: as before');
      assert.equal(bob.providerId, 'dev', 'a further account: the provider, not its lane');
      assert.deepEqual(bob.account, { id: 'bob@example.com', label: 'bob@example.com' });
      bob.account.label = 'changed by a caller';
      assert.equal(
        w.service.state(bobLane)!.session!.account.label,
        'bob@example.com',
        'a copy: callers cannot change the session',
      );

      heard.length = 0;
      await w.service.refreshNow(bobLane);
      await accounts.signOut(bobLane);
      const bobs = heard.filter((e) => e.kind !== 'refreshing');
      assert.deepEqual(
        bobs.map((e) => [e.providerId, e.kind, e.account?.label]),
        [
          ['dev', 'refreshed', 'bob@example.com'],
          ['dev', 'signedOut', 'bob@example.com'],
        ],
      );
      assert.ok(
        heard.every((e) => e.providerId === 'dev' && e.account?.id === 'bob@example.com'),
        'no lane id and no other account in any change',
      );
    } finally {
      sub.dispose();
      accounts.dispose();
      w.service.dispose();
    }
  });
});
