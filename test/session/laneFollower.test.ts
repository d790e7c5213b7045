import assert from 'node:assert/strict';
import { silentLogger } from '../../src/protocol/log.js';
import { AccountRegistry } from '../../src/session/accounts/accounts.js';
import { type FollowedChange, LaneFollower } from '../../src/session/accounts/laneFollower.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

/**
 * What a token consumer (an agent language server, see src/vscode/agentClient.ts) follows: the
 * lane its account reference names, against the real test IdP. The consumer hears its account's
 * sign-out although the reference no longer resolves afterwards, and a new default account.
 */
describe('accounts: a consumer following an account reference', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  const open: { dispose(): void }[] = [];

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 300 });
  });
  after(() => idp.close());
  afterEach(() => {
    for (const d of open.splice(0).reverse()) d.dispose();
  });

  async function window() {
    const secrets = new MemorySecretStore();
    const w = lifecycleWindow([], { secrets, lockDir: tempDir('agent-auth-lock-') });
    const accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log: silentLogger });
    open.push({ dispose: () => w.service.dispose() }, accounts);
    await accounts.setProviders([idpProvider(idp)]);
    return { w, accounts };
  }

  async function addAccount(x: { w: Window; accounts: AccountRegistry }, accountId: string): Promise<string> {
    const lane = await x.accounts.addAccount('dev', async (p) => {
      await signInThroughIdp(x.w.service, p.id, idp, { accountId });
      return true;
    });
    return lane!;
  }

  function follow(x: { w: Window; accounts: AccountRegistry }, ref: string) {
    const heard: FollowedChange[] = [];
    const f = new LaneFollower(ref, { service: x.w.service, accounts: x.accounts }, (c) => heard.push(c));
    open.push(f);
    /** What was heard since the last call, without the refresh progress kinds. */
    const take = () => heard.splice(0).filter((c) => c.kind !== 'refreshing');
    return { f, take };
  }

  it('"dev@bob": bob’s refreshes, not alice’s; bob signing out is heard (null for the consumer) though "dev@bob" no longer resolves', async () => {
    const x = await window();
    await addAccount(x, 'alice@example.com');
    const bobLane = await addAccount(x, 'bob@example.com');
    const { f, take } = follow(x, 'dev@bob');
    assert.equal(f.lane, bobLane);
    await x.w.service.refreshNow('dev');
    assert.deepEqual(take(), [], 'another account’s change is not this consumer’s');
    await x.w.service.refreshNow(bobLane);
    assert.deepEqual(take(), [{ lane: bobLane, kind: 'refreshed', message: undefined, switched: false }]);
    await x.accounts.signOut(bobLane);
    assert.deepEqual(take(), [{ lane: undefined, kind: 'signedOut', switched: true }]);
    assert.equal(f.lane, undefined);
  });

  it('"dev@carol" before carol signs in: nothing followed; her sign-in is heard', async () => {
    const x = await window();
    await addAccount(x, 'alice@example.com');
    const { f, take } = follow(x, 'dev@carol');
    assert.equal(f.lane, undefined);
    const carol = await addAccount(x, 'carol@example.com');
    assert.deepEqual(take(), [{ lane: carol, kind: 'signedIn', switched: true }]);
  });

  it('"dev": "Make Default" and the default account signing out switch to the account "dev" means now', async () => {
    const x = await window();
    await addAccount(x, 'alice@example.com');
    const bobLane = await addAccount(x, 'bob@example.com');
    const { f, take } = follow(x, 'dev');
    assert.equal(f.lane, 'dev');
    await x.accounts.setDefault(bobLane);
    assert.deepEqual(
      take(),
      [{ lane: bobLane, kind: 'signedIn', switched: true }],
      'a new default, without any token change',
    );
    await x.w.service.refreshNow('dev');
    assert.deepEqual(take(), [], 'alice is no longer the default');
    await x.accounts.signOut(bobLane);
    assert.deepEqual(
      take(),
      [{ lane: 'dev', kind: 'signedIn', switched: true }],
      'the default falls back to alice: her token, not none',
    );
    await x.accounts.signOut('dev');
    assert.deepEqual(take(), [{ lane: 'dev', kind: 'signedOut', message: undefined, switched: false }]);
    assert.equal(f.lane, 'dev', 'no account: "dev" names the empty lane, where the next sign-in goes');
  });
});
