import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { silentLogger } from '../../src/protocol/log.js';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { systemClock } from '../../src/session/ports.js';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { type TokenChange, TokenService } from '../../src/session/tokenService.js';
import { createApi } from '../../src/vscode/api.js';
import { AgentAuthProvider } from '../../src/vscode/authProvider.js';
import { LoadTrackingStore } from '../../src/vscode/loadTracking.js';
import { runSignIn } from '../../src/vscode/signInUi.js';
import { lazyTokenHelper } from '../../src/vscode/tokenHelper.js';
import { FaultProxy } from '../support/faultProxy.js';
import { idpWorld } from '../vscode/idpSession.js';
import { MemorySecrets, provider, session } from '../vscode/sessions.js';
import { eventually } from './hostGlue.js';

/** A real TokenService over in-memory secrets whose token endpoint is behind `proxy` (the real network stack, unbounded). */
async function serviceBehind(
  proxy: FaultProxy,
  p: ProviderConfig,
  expiresInMs: number,
): Promise<{ service: TokenService; store: LoadTrackingStore }> {
  const secrets = new MemorySecrets();
  const store = new LoadTrackingStore(secrets, silentLogger);
  const s = session(p.id, { expiresAt: Date.now() + expiresInMs });
  await store.write({ ...s, endpoints: { ...s.endpoints, token_endpoint: proxy.url('http://x/token') } });
  const service = new TokenService({
    store,
    secrets,
    lock: new FileRefreshLock(mkdtempSync(join(tmpdir(), 'agent-auth-lock-')), { log: silentLogger }),
    fetch: globalThis.fetch,
    log: silentLogger,
    clock: systemClock,
    refreshSettings: () => ({ remainingFraction: 0.25, minSecondsBeforeExpiry: 60 }),
    waitTimeoutMs: 600_000,
  });
  service.setProviders([p]);
  return { service, store };
}

const neverSignIn = () => Promise.reject(new Error('no sign-in in this test'));

describe('the agent-auth authentication provider (real vscode, real network)', function () {
  this.timeout(20_000);

  it('getSessions answers from memory while the refresh it starts hangs at the server', async () => {
    const proxy = await FaultProxy.start('http://127.0.0.2:9');
    proxy.next({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const { service, store } = await serviceBehind(proxy, provider('acme'), 5_000);
    const auth = new AgentAuthProvider(service, neverSignIn, (id) => store.loaded(id));
    try {
      // Waiting on the network here would never end: the server never answers.
      const sessions = await auth.getSessions(['provider:acme']);
      assert.deepEqual(
        sessions.map((s) => [s.id, s.accessToken, s.account.label, s.scopes]),
        [['acme/s-acme', 'at-acme', 'alice@example.com', ['provider:acme', 'openid', 'offline_access']]],
      );
      await eventually('the background refresh to reach the server', () =>
        proxy.requests.some((r) => r.grantType === 'refresh_token'),
      );
      assert.equal(
        (await auth.getSessions(undefined)).length,
        1,
        'asked again during the refresh: still answered at once',
      );
    } finally {
      auth.dispose();
      service.dispose();
      await proxy.close();
    }
  });

  it('getSessions never rejects for a failing refresh: the expired session stays listed', async () => {
    const proxy = await FaultProxy.start('http://127.0.0.2:9');
    for (let i = 0; i < 10; i++) proxy.next({ kind: 'status', status: 503 });
    const { service, store } = await serviceBehind(proxy, provider('acme'), -1_000);
    const auth = new AgentAuthProvider(service, neverSignIn, (id) => store.loaded(id));
    try {
      const first = await auth.getSessions(['provider:acme']);
      assert.equal(first.length, 1);
      await eventually('a failed refresh', () => service.state('acme')!.lastRefresh?.ok === false);
      const again = await auth.getSessions(['provider:acme']);
      assert.equal(again.length, 1, 'a transient failure is not a sign-out');
    } finally {
      auth.dispose();
      service.dispose();
      await proxy.close();
    }
  });

  it('a token refreshed in the background reaches callers through onDidChangeSessions', async () => {
    const w = await idpWorld({ providerId: 'bg', accessTokenTtl: 10 });
    const auth = new AgentAuthProvider(w.service, neverSignIn);
    try {
      await w.signIn();
      const changes: vscode.AuthenticationProviderAuthenticationSessionsChangeEvent[] = [];
      const sub = auth.onDidChangeSessions((e) => changes.push(e));
      const [before] = await auth.getSessions(['provider:bg']);
      assert.ok(before, 'signed in');
      // 10 s tokens are inside the background-refresh margin: getSessions starts one and returns.
      const changed = await eventually('a "changed" event with a new token', () =>
        changes.find((c) => c.changed?.some((s) => s.accessToken !== before.accessToken)),
      );
      assert.equal(changed.changed![0].id, before.id, 'the same session, with a new token');
      assert.equal((await auth.getSessions(['provider:bg']))[0].accessToken, changed.changed![0].accessToken);
      sub.dispose();
    } finally {
      auth.dispose();
      await w.close();
    }
  });

  it('a failed createSession rejects at once; its error notification does not hold the caller', async () => {
    const p: ProviderConfig = { ...provider('down'), issuer: 'http://127.0.0.2:9', flow: 'authorizationCode' };
    const secrets = new MemorySecrets();
    const service = new TokenService({
      store: new SessionStore(secrets, silentLogger),
      secrets,
      lock: new FileRefreshLock(mkdtempSync(join(tmpdir(), 'agent-auth-lock-')), { log: silentLogger }),
      fetch: globalThis.fetch,
      log: silentLogger,
      clock: systemClock,
      refreshSettings: () => ({ remainingFraction: 0.25, minSecondsBeforeExpiry: 60 }),
    });
    service.setProviders([p]);
    const log = vscode.window.createOutputChannel('Agent Auth host tests (createSession)', { log: true });
    let retries = 0;
    const auth = new AgentAuthProvider(service, (q) => runSignIn(service, q, log, undefined, () => retries++));
    try {
      // Nobody clicks the notification in this test: awaiting it would never end.
      await assert.rejects(auth.createSession(['provider:down']), /did not complete/);
      assert.equal(retries, 0);
    } finally {
      // The error notification is still up (nobody answered it); the UI scenarios after these tests count notifications.
      await vscode.commands.executeCommand('notifications.clearAll');
      auth.dispose();
      service.dispose();
      log.dispose();
    }
  });
});

describe('shutdown', () => {
  it('disposing the token helper resolves once its socket is closed and gone', async function () {
    if (process.platform === 'win32') return this.skip();
    const w = await idpWorld({ providerId: 'shut' });
    const log = vscode.window.createOutputChannel('Agent Auth host tests (shutdown)', { log: true });
    const subscriptions: { dispose(): unknown }[] = [];
    try {
      const helper = await lazyTokenHelper(w.service, log, subscriptions)();
      const socket = helper!.env.AGENT_AUTH_IPC;
      assert.ok(existsSync(socket));
      for (const d of subscriptions) await d.dispose();
      assert.equal(existsSync(socket), false, 'deactivate may return only after the socket is gone');
    } finally {
      log.dispose();
      await w.close();
    }
  });
});

describe('the exported API gives tokens only for sessions VS Code handed out', function () {
  this.timeout(20_000);

  it('accepts the session getSessions returned (also after a refresh) and refuses anything else', async () => {
    const w = await idpWorld({ providerId: 'api', accessTokenTtl: 600 });
    const auth = new AgentAuthProvider(w.service, neverSignIn);
    const events = new vscode.EventEmitter<TokenChange>();
    const api = createApi(w.service, auth, events.event);
    const forward = w.service.onDidChange((e) => events.fire(e));
    const heard: { providerId: string; kind: string; account?: { id: string; label: string } }[] = [];
    const listening = api.onDidChangeToken((e) => heard.push(e));
    try {
      await w.signIn();
      const refused = /vscode\.authentication\.getSession/;
      const [session] = await auth.getSessions(['provider:api']);
      assert.ok(session);
      assert.equal((await api.getAccessToken(session)).accessToken, session.accessToken);
      await assert.rejects(
        api.getAccessToken({ ...session, accessToken: 'forged' }),
        refused,
        'the right id with a token VS Code never had',
      );
      await assert.rejects(api.getAccessToken({ ...session, id: 'api/other' }), refused);
      await assert.rejects(api.getAccessToken(null as never), refused);
      // The caller's session predates a refresh: still its session, and it gets the new token.
      await w.service.refreshNow('api');
      const fresh = await api.getAccessToken(session, { minValiditySeconds: 60 });
      assert.notEqual(fresh.accessToken, session.accessToken);
      assert.equal(fresh.providerId, 'api');
      assert.deepEqual(fresh.account, { id: session.account.id, label: session.account.label });
      const refreshed = heard.find((e) => e.kind === 'refreshed');
      assert.equal(refreshed?.providerId, 'api', 'changes name the provider…');
      assert.deepEqual(refreshed.account, fresh.account, '…and the account');
      // After sign-out the old session proves nothing.
      await w.service.signOut('api');
      await assert.rejects(api.getAccessToken(session), refused);
    } finally {
      listening.dispose();
      forward.dispose();
      events.dispose();
      auth.dispose();
      await w.close();
    }
  });
});
