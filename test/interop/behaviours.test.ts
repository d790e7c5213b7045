import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizationCodeFlow } from '../../src/protocol/authorizationCode.js';
import { deviceCodeFlow, type UserCodePrompt } from '../../src/protocol/deviceCode.js';
import { discover } from '../../src/protocol/discovery.js';
import type { Endpoints } from '../../src/protocol/endpoints.js';
import { AuthError } from '../../src/protocol/errors.js';
import { boundedFetch } from '../../src/protocol/http.js';
import { refreshTokens, revokeToken, type TokenSet } from '../../src/protocol/tokens.js';
import { fetchWithToken } from '../../src/session/consumers/authorizedFetch.js';
import { SessionError } from '../../src/session/errors.js';
import { sha256 } from '../support/idpChecks.js';
import { interopSuite } from '../support/interop.js';
import {
  INTEROP_IDPS,
  interopBrowser,
  type InteropIdp,
  signInThroughInteropIdp,
  interopProvider,
} from '../support/interopIdp.js';
import { lifecycleWindow, storedSession, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/**
 * The protocol and lifecycle behaviours, one definition each, against every real IdP of the
 * interop matrix (oidc-provider and Glewlwyd): what holds for one server must hold for the other.
 */
for (const factory of INTEROP_IDPS) {
  interopSuite(factory.name, function () {
    this.timeout(60_000);
    let idp: InteropIdp;
    let endpoints: Endpoints;
    const log = new RecordingLogger();
    const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 });
    const ctx = (clientId: string) => ({ endpoints, clientId, fetch });
    let windows: Window[] = [];

    before(async () => {
      idp = await factory.start({ accessTokenTtl: 60 });
      endpoints = await discover({ issuer: idp.issuer }, { fetch, log });
    });
    afterEach(() => {
      for (const w of windows) w.service.dispose();
      windows = [];
      idp?.prepareRotatingClient();
    });
    after(() => idp?.close());

    /** Authorization code + PKCE at the protocol layer, the IdP's login driven over HTTP. */
    async function codeFlow(
      clientId = idp.rotatingClientId,
      onUrl: (u: URL) => void = () => undefined,
    ): Promise<TokenSet> {
      const abort = new AbortController();
      let browserError: unknown;
      const browser = interopBrowser(idp, (e) => {
        browserError = e;
        abort.abort();
      });
      try {
        return await authorizationCodeFlow({
          endpoints,
          clientId,
          scopes: idp.scopes,
          fetch,
          log,
          now: Date.now,
          signal: abort.signal,
          externalRedirectUri: browser.externalRedirectUri,
          openBrowser: (u) => (onUrl(new URL(u)), browser.openBrowser(u)),
        });
      } catch (e) {
        throw browserError ?? e;
      }
    }

    const userinfo = async (accessToken: string) => {
      const res = await globalThis.fetch(idp.userinfoEndpoint, { headers: { authorization: `Bearer ${accessToken}` } });
      return { status: res.status, body: res.ok ? ((await res.json()) as { sub: string }) : undefined };
    };

    async function signedInWindow(clientId = idp.rotatingClientId): Promise<Window> {
      const w = lifecycleWindow([interopProvider(idp, { clientId })], { secrets: new MemorySecretStore(), log });
      windows.push(w);
      await signInThroughInteropIdp(w.service, 'dev', idp);
      return w;
    }

    it('discovery finds the code, device and revocation endpoints and PKCE S256', () => {
      assert.equal(endpoints.issuer, idp.issuer);
      assert.ok(
        endpoints.authorization_endpoint && endpoints.device_authorization_endpoint && endpoints.revocation_endpoint,
      );
      assert.ok(endpoints.code_challenge_methods_supported?.includes('S256'));
    });

    it('authorization code + PKCE (S256, state, nonce) yields tokens that the IdP accepts', async () => {
      let sent: URL | undefined;
      const t = await codeFlow(idp.rotatingClientId, (u) => (sent = u));
      assert.equal(sent!.searchParams.get('code_challenge_method'), 'S256');
      assert.match(sent!.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{20,}$/);
      assert.ok(t.accessToken && t.refreshToken && t.idToken);
      assert.ok(Math.abs(t.expiresAt - (Date.now() + 60_000)) < 5_000);
      const me = await userinfo(t.accessToken);
      assert.equal(me.status, 200);
      assert.equal(me.body!.sub, t.claims?.sub, 'the ID token names the account userinfo names');
    });

    it('device flow: shows the code, polls, and returns tokens once approved', async () => {
      let prompt: UserCodePrompt | undefined;
      let approval: Promise<void> = Promise.resolve();
      const t = await deviceCodeFlow({
        endpoints,
        clientId: idp.rotatingClientId,
        scopes: idp.scopes,
        fetch,
        log,
        now: Date.now,
        // The servers ask for 5 s between polls; time runs 20x faster here.
        sleep: (ms) => new Promise((r) => setTimeout(r, ms / 20)),
        onUserCode: (p) => {
          prompt = p;
          approval = idp.approveDevice(p.userCode);
        },
      });
      await approval;
      assert.ok(t.accessToken && t.refreshToken);
      assert.ok(prompt!.verificationUri.startsWith(new URL(idp.issuer).origin));
      assert.equal((await userinfo(t.accessToken)).status, 200);
    });

    it('refresh with rotation: one request, a new refresh token; the used one is refused with a clear error', async () => {
      idp.prepareRotatingClient();
      const t = await codeFlow(idp.rotatingClientId);
      idp.stats.reset();
      const r = await refreshTokens(ctx(idp.rotatingClientId), t.refreshToken!, Date.now);
      assert.equal(idp.stats.tokenRequests, 1);
      assert.ok(r.refreshToken && r.refreshToken !== t.refreshToken, 'rotated');
      assert.notEqual(r.accessToken, t.accessToken);
      const err = await refreshTokens(ctx(idp.rotatingClientId), t.refreshToken!, Date.now).then(
        () => assert.fail('reuse accepted'),
        (e) => e,
      );
      assert.ok(err instanceof AuthError);
      assert.equal(err.details.oauthError, 'invalid_grant', err.message);
      assert.match(err.message, /refresh token|invalid_grant/);
    });

    it('refresh without rotation: the same refresh token keeps working', async () => {
      idp.prepareStaticClient();
      const t = await codeFlow(idp.staticClientId);
      const r1 = await refreshTokens(ctx(idp.staticClientId), t.refreshToken!, Date.now);
      assert.ok(r1.refreshToken === undefined || r1.refreshToken === t.refreshToken, 'not rotated');
      const r2 = await refreshTokens(ctx(idp.staticClientId), t.refreshToken!, Date.now);
      assert.notEqual(r2.accessToken, r1.accessToken);
      assert.equal((await userinfo(r2.accessToken)).status, 200);
    });

    it('sign-in, refresh and sign-out through the token service; revocation is done or its refusal explained', async () => {
      const w = await signedInWindow();
      const first = await storedSession(w.store, 'dev');
      const fresh = await w.service.refreshNow('dev');
      assert.notEqual(fresh.accessToken, first.accessToken);
      idp.stats.reset();
      log.lines.length = 0;
      await w.service.signOut('dev');
      assert.equal((await w.store.read('dev')).kind, 'missing', 'signed out locally whatever the server said');
      assert.equal(idp.stats.revocations, 1);
      const afterwards = await refreshTokens(ctx(idp.rotatingClientId), fresh.refreshToken!, Date.now).then(
        () => 'alive',
        () => 'dead',
      );
      if (idp.publicClientMayRevoke) {
        assert.equal(afterwards, 'dead');
      } else {
        // The server refuses revocation by a public client: the warning says so, and the token lives on there.
        assert.ok(
          log.lines.some((l) =>
            /Revocation at .* failed \(The revocation endpoint refused this public client \(HTTP 401\)/.test(l),
          ),
          log.lines.join('\n'),
        );
        assert.equal(afterwards, 'alive');
      }
    });

    it('signing in again as the same account replaces the session; the earlier one is forgotten, not revoked (it may share the new one’s grant)', async () => {
      const w = await signedInWindow();
      const first = await storedSession(w.store, 'dev');
      idp.stats.reset();
      log.lines.length = 0;
      await signInThroughInteropIdp(w.service, 'dev', idp);
      const second = await storedSession(w.store, 'dev');
      assert.notEqual(second.sessionId, first.sessionId);
      assert.equal(second.account.id, first.account.id);
      // Decided at sign-in, not in the background: servers that keep one grant per account and
      // client would end the new session with the old one (test/session/sharedGrant.test.ts).
      assert.ok(
        log.lines.some((l) => /forgotten, not revoked/.test(l)),
        log.lines.join('\n'),
      );
      assert.equal(idp.stats.revocations, 0);
      assert.equal((await w.service.getAccessToken('dev')).accessToken, second.accessToken);
      assert.equal((await userinfo(second.accessToken!)).status, 200);
      assert.notEqual((await w.service.refreshNow('dev')).accessToken, second.accessToken);
    });

    it('revocation refused to a public client is a clear error, not a crash', async function () {
      if (idp.publicClientMayRevoke) this.skip();
      const t = await codeFlow();
      const err = await revokeToken(ctx(idp.rotatingClientId), t.refreshToken!, 'refresh_token').then(
        () => assert.fail(),
        (e) => e,
      );
      assert.ok(err instanceof AuthError);
      assert.equal(err.details.status, 401);
      assert.match(err.message, /does not let it revoke its own tokens/);
    });

    it('401 recovery: a resource that checks tokens at the IdP refuses one; fetchWithToken refreshes once and succeeds', async () => {
      const w = await signedInWindow();
      const api = await ResourceServer.start(idp.userinfoEndpoint);
      try {
        const first = (await storedSession(w.store, 'dev')).accessToken!;
        api.refuse.add(sha256(first));
        idp.stats.reset();
        const res = await fetchWithToken(w.service.getAccessToken.bind(w.service), globalThis.fetch, 'dev', api.url);
        assert.equal(res.status, 200);
        assert.equal(idp.stats.grants.refresh_token, 1);
        const now = (await storedSession(w.store, 'dev')).accessToken!;
        assert.deepEqual(api.seen, [sha256(first), sha256(now)]);
      } finally {
        await api.stop();
      }
    });

    it('a refresh token used elsewhere ends the session with "sign in again", not a retry loop', async () => {
      const w = await signedInWindow();
      const stolen = (await storedSession(w.store, 'dev')).refreshToken!;
      await w.service.refreshNow('dev');
      // Someone presents the rotated-away token: both servers then end the whole chain.
      await refreshTokens(ctx(idp.rotatingClientId), stolen, Date.now).then(
        () => assert.fail('reuse accepted'),
        () => undefined,
      );
      idp.stats.reset();
      const err = await w.service.refreshNow('dev').then(
        () => assert.fail('refresh succeeded'),
        (e) => e,
      );
      assert.ok(err instanceof SessionError, String(err));
      assert.equal(err.code, 'needs_sign_in');
      assert.match(err.message, /revoked or has expired/);
      assert.equal(idp.stats.tokenRequests, 1, 'one attempt, no retries');
      assert.equal((await storedSession(w.store, 'dev')).refreshToken, undefined);
    });
  });
}

/** A tiny API that accepts a bearer token when the IdP's userinfo endpoint does, minus the ones it is told to refuse. */
class ResourceServer {
  readonly seen: string[] = [];
  readonly refuse = new Set<string>();
  url = '';
  private constructor(private readonly server: Server) {}

  static async start(userinfoEndpoint: string): Promise<ResourceServer> {
    const server = createServer();
    const rs = new ResourceServer(server);
    server.on('request', async (req, res) => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      rs.seen.push(sha256(token));
      const ok =
        !rs.refuse.has(sha256(token)) &&
        (await globalThis.fetch(userinfoEndpoint, { headers: { authorization: `Bearer ${token}` } })).ok;
      res
        .writeHead(ok ? 200 : 401, ok ? {} : { 'www-authenticate': 'Bearer error="invalid_token"' })
        .end(ok ? 'ok' : '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    rs.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`;
    return rs;
  }

  stop(): Promise<unknown> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}
