import assert from 'node:assert/strict';
import { SessionError } from '../../src/session/errors.js';
import { sessionMatches } from '../../src/session/config/sessionMatches.js';
import { sessionKey } from '../../src/session/store/sessionRecord.js';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { FaultProxy } from '../support/faultProxy.js';
import { introspect } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  storedSession,
  tempDir,
  waitFor,
  type Window,
} from '../support/lifecycle.js';
import { addToTally, reportTallyAtEnd } from '../support/lifecycleTally.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

reportTallyAtEnd();

const notSignedIn = (e: unknown) => e instanceof SessionError && e.code === 'not_signed_in';

/** Sessions that must not come back, and sessions that no longer belong to the provider as configured. */
describe('token lifecycle: sign-out wins, and sessions made for other settings are signed out', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let windows: Window[] = [];
  let proxy: FaultProxy | undefined;

  before(async () => {
    idp = await startTestIdp({ host: '127.0.0.2', accessTokenTtl: 60, rotateRefreshTokens: true });
  });
  after(async () => {
    addToTally(idp);
    await idp.close();
  });
  afterEach(async () => {
    windows.forEach((w) => w.service.dispose());
    windows = [];
    await proxy?.close();
    proxy = undefined;
  });

  function window(secrets: MemorySecretStore, provider: ProviderConfig = idpProvider(idp)): Window {
    const w = lifecycleWindow([provider], { secrets, lockDir, timeoutMs: 5_000 });
    windows.push(w);
    return w;
  }
  let lockDir = '';
  beforeEach(() => (lockDir = tempDir('agent-auth-lock-')));

  it('sign-out while a refresh is in flight: the refresh is abandoned and never writes the session back', async () => {
    const secrets = new MemorySecretStore();
    const setup = window(secrets);
    const s = await signInThroughIdp(setup.service, 'dev', idp);
    proxy = await FaultProxy.start(idp.issuer);
    await pointTokenEndpointAt(setup.store, 'dev', proxy.url(s.endpoints.token_endpoint));
    const w = window(secrets);
    await w.service.getAccessToken('dev');
    // The IdP redeems the refresh token at once; its answer reaches the window only after the sign-out.
    proxy.next({ kind: 'delay', ms: 1_500 });
    const refreshing = w.service.refreshNow('dev').then(
      () => 'refreshed',
      (e) => e,
    );
    await waitFor(() => proxy!.requests.length === 1, 'the refresh request to reach the proxy');
    await w.service.signOut('dev');
    assert.ok(notSignedIn(await refreshing), `the refresh ended with ${String(await refreshing)}`);
    await waitFor(() => proxy!.delayedAnswers === 1, 'the delayed answer to be sent');
    assert.equal(await secrets.get(sessionKey('dev')), undefined, 'nothing was written back');
    assert.equal(w.service.state('dev')!.session, undefined);
    await assert.rejects(w.service.getAccessToken('dev'), notSignedIn);
    assert.equal((await introspect(idp, s.refreshToken!)).active, false);
  });

  const changes: [string, (p: ProviderConfig) => ProviderConfig][] = [
    ['clientId', (p) => ({ ...p, clientId: 'another-client' })],
    ['issuer', (p) => ({ ...p, issuer: 'http://127.0.0.2:9/elsewhere' })],
    ['resource', (p) => ({ ...p, resource: 'https://api.example.test/' })],
    ['scopes', (p) => ({ ...p, scopes: [...p.scopes, 'email'] })],
  ];
  for (const [field, change] of changes) {
    it(`a stored session made for another ${field} than configured now is not handed out; it is revoked and deleted`, async () => {
      const secrets = new MemorySecretStore();
      const s = await signInThroughIdp(window(secrets).service, 'dev', idp);
      assert.ok(sessionMatches(s, idpProvider(idp)), 'a fresh session matches its provider');
      const changed = change(idpProvider(idp));
      assert.equal(sessionMatches(s, changed), false);
      const w = window(secrets, changed);
      await assert.rejects(w.service.getAccessToken('dev'), notSignedIn);
      await waitFor(async () => (await secrets.get(sessionKey('dev'))) === undefined, 'the old session to be deleted');
      await waitFor(
        async () => !(await introspect(idp, s.refreshToken!)).active,
        'the old refresh token to be revoked',
      );
    });
  }

  it('settings changed under a signed-in window: signedOut, and the session is deleted and revoked', async () => {
    const secrets = new MemorySecretStore();
    const w = window(secrets);
    const s = await signInThroughIdp(w.service, 'dev', idp);
    const kinds: string[] = [];
    w.service.onDidChange((e) => kinds.push(e.kind));
    w.service.setProviders([{ ...idpProvider(idp), clientId: 'another-client' }]);
    assert.equal(w.service.state('dev')!.session, undefined);
    assert.deepEqual(kinds, ['signedOut']);
    await waitFor(async () => (await secrets.get(sessionKey('dev'))) === undefined, 'the old session to be deleted');
    await waitFor(async () => !(await introspect(idp, s.refreshToken!)).active, 'the old refresh token to be revoked');
  });

  it('entries set aside as unreadable are listed, and deleting them revokes their refresh tokens', async () => {
    const secrets = new MemorySecretStore();
    const s = await signInThroughIdp(window(secrets).service, 'dev', idp);
    // A live session stored under another provider's key: unreadable for that provider, set aside on read.
    await secrets.store(sessionKey('other'), JSON.stringify({ ...s, providerId: 'dev' }));
    await secrets.store(sessionKey('broken'), '{not json');
    const w = lifecycleWindow([idpProvider(idp, { id: 'other' }), idpProvider(idp, { id: 'broken' })], {
      secrets,
      lockDir,
    });
    windows.push(w);
    // Loading the providers reads (and sets aside) both entries.
    await waitFor(async () => (await w.service.setAsideCount()) === 2, 'both entries to be set aside');
    assert.equal(await secrets.get(sessionKey('other')), undefined);
    assert.equal((await introspect(idp, s.refreshToken!)).active, true, 'still live while set aside');
    assert.deepEqual(await w.service.deleteSetAside(), { deleted: 2, revoked: 1 });
    assert.equal(await w.service.setAsideCount(), 0);
    assert.equal([...secrets.entries.keys()].filter((k) => k.includes('quarantine')).length, 0);
    assert.equal((await introspect(idp, s.refreshToken!)).active, false);
    assert.ok(await storedSession(w.store, 'dev').catch(() => 'none'), 'the real session is untouched');
  });
});
