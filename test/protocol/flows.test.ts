import { type AddressInfo, connect, createServer as createNetServer, type Server } from 'node:net';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { authorizationCodeFlow } from '../../src/protocol/authorizationCode.js';
import { deviceCodeFlow, type UserCodePrompt } from '../../src/protocol/deviceCode.js';
import { discover } from '../../src/protocol/discovery.js';
import type { Endpoints } from '../../src/protocol/endpoints.js';
import { AuthError } from '../../src/protocol/errors.js';
import { boundedFetch } from '../../src/protocol/http.js';
import { revokeToken } from '../../src/protocol/tokens.js';
import { RESOURCE_PATH, startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/** The protocol layer against a real, certified OpenID provider (oidc-provider) on loopback. */
describe('protocol: flows against a real OpenID provider', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let endpoints: Endpoints;
  const log = new RecordingLogger();
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 });
  const scopes = ['openid', 'offline_access', 'profile'];

  before(async () => {
    idp = await startTestIdp({ accessTokenTtl: 60, resourceServer: true });
    endpoints = await discover({ issuer: idp.issuer }, { fetch, log });
  });
  after(() => idp.close());

  /** What a browser does: log in, then follow the redirect to our loopback server (not awaited: the tab waits for us). */
  const browser = (url: string) => {
    void idp.completeAuthorization(url, { deliver: true }).catch(() => undefined);
    return Promise.resolve(true);
  };
  const codeFlow = (extra: Partial<Parameters<typeof authorizationCodeFlow>[0]> = {}) =>
    authorizationCodeFlow({
      endpoints,
      clientId: idp.clientId,
      scopes,
      fetch,
      log,
      now: Date.now,
      openBrowser: browser,
      ...extra,
    });

  it('discovers the endpoints through OpenID Connect metadata', () => {
    assert.equal(endpoints.issuer, idp.issuer);
    for (const k of [
      'authorization_endpoint',
      'token_endpoint',
      'device_authorization_endpoint',
      'revocation_endpoint',
    ] as const) {
      assert.ok(endpoints[k]?.startsWith(idp.issuer), k);
    }
    assert.ok(endpoints.code_challenge_methods_supported?.includes('S256'));
  });

  it('discovers the authorization server of a protected resource (RFC 9728)', async () => {
    const e = await discover({ resource: `${idp.issuer}${RESOURCE_PATH}` }, { fetch, log });
    assert.equal(e.issuer, idp.issuer);
    assert.equal(e.token_endpoint, endpoints.token_endpoint);
  });

  // Code + PKCE yielding tokens, the device flow, refresh (with and without rotation), revocation
  // and 401 recovery are defined once in test/interop/behaviours.test.ts and run against every IdP.

  it("signs in through a remote window's port forward: the IdP redirects to the forwarded port", async () => {
    // What VS Code's port forwarding does for a remote window: another port, relayed to the listener.
    const forwards: Server[] = [];
    try {
      const tokens = await codeFlow({
        externalRedirectUri: async (local) => {
          const target = new URL(local);
          const fwd = createNetServer((c) => {
            const up = connect(Number(target.port), '127.0.0.1');
            c.pipe(up).pipe(c);
            c.on('error', () => up.destroy());
            up.on('error', () => c.destroy());
          });
          forwards.push(fwd);
          await new Promise<void>((r) => fwd.listen(0, '127.0.0.1', r));
          return `http://127.0.0.1:${(fwd.address() as AddressInfo).port}${target.pathname}`;
        },
      });
      assert.ok(tokens.accessToken && tokens.refreshToken);
    } finally {
      for (const f of forwards) f.close();
    }
  });

  it('sends S256 PKCE, state, and the loopback redirect to the authorization endpoint', async () => {
    let seen: URL | undefined;
    await codeFlow({ openBrowser: (u) => ((seen = new URL(u)), browser(u)) });
    assert.equal(seen!.searchParams.get('code_challenge_method'), 'S256');
    assert.match(seen!.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(seen!.searchParams.get('state')!, /^[A-Za-z0-9_-]{20,}$/);
    assert.match(seen!.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.match(seen!.searchParams.get('nonce')!, /^[A-Za-z0-9_-]{20,}$/, 'OpenID Connect nonce');
  });

  it("adds allowlisted authorizationParameters to the authorization request; the flow's own parameters always win", async () => {
    let seen: URL | undefined;
    await codeFlow({
      authorizationParameters: {
        prompt: 'login',
        login_hint: 'alice',
        ui_locales: 'de',
        max_age: '300',
        state: 'forced',
        redirect_uri: 'https://evil.example/cb',
      },
      openBrowser: async (u) => {
        seen = new URL(u);
        return browser(u);
      },
    });
    const q = seen!.searchParams;
    assert.deepEqual(
      [q.get('prompt'), q.get('login_hint'), q.get('ui_locales'), q.get('max_age')],
      ['login', 'alice', 'de', '300'],
    );
    assert.notEqual(q.get('state'), 'forced');
    assert.match(q.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(q.getAll('state').length, 1);
  });

  it('rejects a callback without iss from a server that promises it (RFC 9207), with its own code and no exchange', async () => {
    const before = idp.stats.tokenRequests;
    const err = await codeFlow({
      openBrowser: async (u) => {
        const redirect = new URL(await idp.completeAuthorization(u));
        redirect.searchParams.delete('iss');
        void globalThis.fetch(redirect).catch(() => undefined);
        return true;
      },
    }).then(
      () => assert.fail('should fail'),
      (e) => e,
    );
    assert.equal(err.code, 'issuer_mismatch', err.message);
    assert.match(err.message, /it carried no "iss" parameter/);
    assert.equal(idp.stats.tokenRequests, before);
  });

  it('rejects a callback whose iss names another issuer (RFC 9207 mix-up) and exchanges nothing', async () => {
    const before = idp.stats.tokenRequests;
    const err = await codeFlow({
      openBrowser: async (u) => {
        const redirect = new URL(await idp.completeAuthorization(u));
        assert.equal(redirect.searchParams.get('iss'), idp.issuer, 'the provider sends iss');
        redirect.searchParams.set('iss', 'https://attacker.example');
        void globalThis.fetch(redirect).catch(() => undefined);
        return true;
      },
    }).then(
      () => assert.fail('should fail'),
      (e) => e,
    );
    assert.equal(err.code, 'issuer_mismatch', err.message);
    assert.equal(idp.stats.tokenRequests, before);
  });

  it('ignores a callback with a wrong state and keeps waiting; nothing is exchanged', async () => {
    const before = idp.stats.tokenRequests;
    const ac = new AbortController();
    let strayStatus = 0;
    const err = await codeFlow({
      signal: ac.signal,
      openBrowser: async (u) => {
        const redirect = new URL(await idp.completeAuthorization(u));
        redirect.searchParams.set('state', 'forged');
        strayStatus = (await globalThis.fetch(redirect)).status;
        ac.abort();
        return true;
      },
    }).then(
      () => assert.fail('should fail'),
      (e) => e,
    );
    assert.equal(strayStatus, 400);
    assert.equal(err.code, 'cancelled');
    assert.equal(idp.stats.tokenRequests, before);
  });

  it('reports a denied authorization clearly', async () => {
    const err = await codeFlow({
      openBrowser: async (u) => {
        void idp.completeAuthorization(u, { deny: true, deliver: true }).catch(() => undefined);
        return true;
      },
    }).then(
      () => assert.fail('should fail'),
      (e) => e,
    );
    assert.equal(err.code, 'oauth_error');
    assert.equal(err.details.oauthError, 'access_denied');
  });

  it('a replayed authorization code is refused by the server', async () => {
    let redirect: URL | undefined;
    await codeFlow({
      openBrowser: async (u) => {
        redirect = new URL(await idp.completeAuthorization(u));
        void globalThis.fetch(redirect).catch(() => undefined);
        return true;
      },
    });
    const as = { ...endpoints } as oauth.AuthorizationServer;
    const client = { client_id: idp.clientId, token_endpoint_auth_method: 'none' };
    const params = oauth.validateAuthResponse(as, client, redirect!.searchParams, oauth.skipStateCheck);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      `${redirect!.origin}${redirect!.pathname}`,
      'x'.repeat(43),
      { [oauth.allowInsecureRequests]: true },
    );
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, client, res),
      (e: oauth.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });

  describe('device authorization grant (RFC 8628)', () => {
    /** Real polling at the server's 5 s interval would be slow; time runs 20x faster. */
    const fastSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms / 20));
    const deviceFlow = (onUserCode: (p: UserCodePrompt) => void, now: () => number = Date.now) =>
      deviceCodeFlow({ endpoints, clientId: idp.clientId, scopes, fetch, log, now, onUserCode, sleep: fastSleep });

    it('shows the code, polls, and returns tokens once approved', async () => {
      let prompt: UserCodePrompt | undefined;
      const t = await deviceFlow((p) => {
        prompt = p;
        setTimeout(() => void idp.approveDevice(p.userCode), 1_500);
      });
      assert.ok(t.accessToken && t.refreshToken);
      assert.match(prompt!.verificationUri, /\/device$/);
      assert.ok(prompt!.verificationUriComplete?.includes('user_code='));
    });

    it('stops with a clear message when the user denies', async () => {
      const err = await deviceFlow((p) => void idp.approveDevice(p.userCode, { deny: true })).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'oauth_error');
      assert.match(err.message, /denied in the browser/);
    });

    it('stops when the code expires', async () => {
      let offset = 0;
      const err = await deviceFlow(
        () => (offset = 3_600_000),
        () => Date.now() + offset,
      ).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.ok(err instanceof AuthError);
      assert.equal(err.code, 'expired');
      assert.match(err.message, /expired before sign-in was completed/);
    });

    it('stops at once when cancelled', async () => {
      const ac = new AbortController();
      const err = await deviceCodeFlow({
        endpoints,
        clientId: idp.clientId,
        scopes,
        fetch,
        log,
        now: Date.now,
        signal: ac.signal,
        onUserCode: () => ac.abort(),
      }).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'cancelled');
    });
  });

  it('revocation without a revocation endpoint reports that nothing was revoked', async () => {
    const { revocation_endpoint: _, ...noRevocation } = endpoints;
    assert.equal(
      await revokeToken({ endpoints: noRevocation, clientId: idp.clientId, fetch }, 'x', 'refresh_token'),
      false,
    );
  });
});
