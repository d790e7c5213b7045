import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { fetchWithToken } from '../../src/session/consumers/authorizedFetch.js';
import { ClientSecrets } from '../../src/session/signIn/clientContext.js';
import { parseProviders, type ProviderConfig } from '../../src/session/config/config.js';
import type { Clock } from '../../src/session/ports.js';
import { startProfileIdp, type Profile, type ProfileIdp, type ProfileName } from '../fixtures/idpProfiles.js';
import type { TestIdp } from '../fixtures/idp.js';
import { sha256 } from '../support/idpChecks.js';
import { interopSuite as talliedSuite } from '../support/interop.js';
import { lifecycleWindow, signInThroughIdp, storedSession, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';
import { recipeEntry } from './recipes.js';

export interface InteropContext {
  pidp: ProfileIdp;
  idp: TestIdp;
  profile: Profile;
  /** The recipe after placeholder substitution, as JSON and as parsed by the settings code. */
  entry: Record<string, unknown>;
  provider: ProviderConfig;
  api: ProfileApi;
  log: RecordingLogger;
  /** A fresh window (memory secrets, client secret stored when the profile has one; `clock` in place of the system's). */
  window(provider?: ProviderConfig, opts?: { clientSecret?: string | null; clock?: Clock }): ProfileWindow;
  /** A window signed in with the authorization code flow. */
  signedIn(opts?: { clock?: Clock }): Promise<ProfileWindow>;
}

/** A window that records what it sent: the assertions about a profile look at the client's side of the talk. */
export interface ProfileWindow extends Window {
  /** Every HTTP request the window's service sent (discovery, token, revocation…), in order. */
  sent: SentRequest[];
  /** The authorization URL the sign-in opened in the "browser" (signedIn only). */
  authorizationUrl?: URL;
}

export interface SentRequest {
  method: string;
  url: URL;
  /** The Accept header, if any. */
  accept: string | null;
  /** A form-encoded body (token and revocation requests), parsed. */
  form?: URLSearchParams;
}

/** globalThis.fetch that first notes each request in `sent`. */
function recordingFetch(sent: SentRequest[]): typeof globalThis.fetch {
  return (input, init) => {
    const req = input instanceof Request ? input : undefined;
    const body = init?.body;
    sent.push({
      method: (init?.method ?? req?.method ?? 'GET').toUpperCase(),
      url: new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input),
      accept: new Headers(init?.headers ?? req?.headers).get('accept'),
      form: body instanceof URLSearchParams || typeof body === 'string' ? new URLSearchParams(body) : undefined,
    });
    return globalThis.fetch(input, init);
  };
}

/**
 * The interop suite of one quirk profile: the recipe for that IdP, signed in with code +
 * PKCE (and the device flow where the IdP has it), refreshed, recovering from a 401, signed out
 * (revoking where the IdP can), plus the profile's own quirks (`extra`). Counted in the line
 * `interop: <profile> <n> passed, <n> failed` by test/support/interop.ts, as every IdP line is.
 */
export function interopSuite(name: ProfileName, extra: (c: () => InteropContext) => void = () => undefined): void {
  talliedSuite(name, function () {
    this.timeout(30_000);
    let ctx: InteropContext;
    const windows: ProfileWindow[] = [];
    const c = () => ctx;

    before(async () => {
      const port = await freePort();
      const pidp = await startProfileIdp(name, port);
      const entry = recipeEntry(name, pidp.placeholders);
      const { providers, problems } = parseProviders([entry]);
      assert.deepEqual(problems, [], 'the recipe is a valid provider entry');
      const log = new RecordingLogger();
      const api = await new ProfileApi(pidp.idp).start();
      ctx = {
        pidp,
        idp: pidp.idp,
        profile: pidp.profile,
        entry,
        provider: providers[0],
        api,
        log,
        window: (provider = ctx.provider, opts = {}) => {
          const secrets = new MemorySecretStore();
          // The profile's secret, another one, or none (null), stored as "Set Client Secret…" stores it.
          const secret = opts.clientSecret === undefined ? pidp.profile.clientSecret : opts.clientSecret;
          if (secret) void new ClientSecrets(secrets).set(provider.id, secret);
          const sent: SentRequest[] = [];
          const w = {
            ...lifecycleWindow([provider], { secrets, log, clock: opts.clock, fetch: recordingFetch(sent) }),
            sent,
          };
          windows.push(w);
          return w;
        },
        signedIn: async (opts = {}) => {
          const w = ctx.window(undefined, opts);
          await signInThroughIdp(w.service, ctx.provider.id, pidp.idp, {
            onAuthorizationUrl: (url) => (w.authorizationUrl = url),
          });
          return w;
        },
      };
    });
    afterEach(() => {
      for (const w of windows.splice(0)) w.service.dispose();
    });
    after(async () => {
      // A set-up that failed (the recipe no longer parses, the IdP did not start) counts every test of the suite as failed.
      await ctx?.api.close();
      await ctx?.idp.close();
    });

    it('signs in with the authorization code flow and PKCE; the API accepts the token', async () => {
      const w = await ctx.signedIn();
      const s = await storedSession(w.store, ctx.provider.id);
      assert.equal(await ctx.api.check(s.accessToken!), 200);
      assert.ok(s.refreshToken, 'a refresh token came with the sign-in');
    });

    if (PROFILE_HAS_DEVICE_FLOW[name]) {
      it('signs in with the device flow', async () => {
        const w = ctx.window();
        const approvals: Promise<void>[] = [];
        const s = await w.service.signIn(ctx.provider.id, {
          preferredFlow: 'deviceCode',
          openBrowser: async () => false,
          onUserCode: (p) => void approvals.push(ctx.idp.approveDevice(p.userCode)),
          signal: new AbortController().signal,
        });
        await Promise.all(approvals);
        assert.equal(approvals.length, 1);
        assert.equal(await ctx.api.check(s.accessToken!), 200);
      });
    }

    it(`refreshes (refresh tokens ${PROFILE_ROTATES[name] ? 'rotate' : 'are not rotated'})`, async () => {
      const w = await ctx.signedIn();
      const before = await storedSession(w.store, ctx.provider.id);
      const after = await w.service.refreshNow(ctx.provider.id);
      assert.notEqual(sha256(after.accessToken!), sha256(before.accessToken!));
      assert.equal(after.refreshToken !== before.refreshToken, ctx.profile.rotation, 'rotation as the IdP does it');
      assert.equal(await ctx.api.check(after.accessToken!), 200);
      // A second refresh with what the session holds now also works (the rotated or the kept token).
      const again = await w.service.refreshNow(ctx.provider.id);
      assert.equal(await ctx.api.check(again.accessToken!), 200);
    });

    it('recovers from a 401: one refresh, the retried request succeeds', async () => {
      const w = await ctx.signedIn();
      const first = await storedSession(w.store, ctx.provider.id);
      ctx.api.refuse.add(sha256(first.accessToken!));
      const res = await fetchWithToken(
        (id, o) => w.service.getAccessToken(id, o),
        globalThis.fetch,
        ctx.provider.id,
        ctx.api.url,
      );
      assert.equal(res.status, 200);
      assert.deepEqual(
        ctx.api.seen.slice(-2).map((s) => s.status),
        [401, 200],
      );
      assert.notEqual(ctx.api.seen.at(-1)!.token, sha256(first.accessToken!));
    });

    if (PROFILE_REVOKES[name]) {
      it('sign-out revokes the refresh token at the IdP', async () => {
        const w = await ctx.signedIn();
        const s = await storedSession(w.store, ctx.provider.id);
        assert.ok(await liveRefreshToken(ctx.idp, s.refreshToken!));
        await w.service.signOut(ctx.provider.id);
        assert.equal(await liveRefreshToken(ctx.idp, s.refreshToken!), false, 'revoked at the IdP');
        assert.equal((await w.store.read(ctx.provider.id)).kind, 'missing');
      });
    } else {
      it('sign-out forgets the session; the IdP has no revocation endpoint, and the log says so', async () => {
        const w = await ctx.signedIn();
        await w.service.signOut(ctx.provider.id);
        assert.equal((await w.store.read(ctx.provider.id)).kind, 'missing');
        assert.match(ctx.log.text(), /has no revocation endpoint; nothing to revoke/);
      });
    }

    extra(c);
  });
}

const PROFILE_HAS_DEVICE_FLOW: Record<ProfileName, boolean> = {
  'entra-like': true,
  'okta-like': true,
  'auth0-like': true,
  'google-like': false,
  'github-like': true,
  'keycloak-like': true,
};
const PROFILE_ROTATES: Record<ProfileName, boolean> = {
  'entra-like': false,
  'okta-like': true,
  'auth0-like': true,
  'google-like': false,
  'github-like': true,
  'keycloak-like': true,
};
const PROFILE_REVOKES: Record<ProfileName, boolean> = {
  'entra-like': false,
  'okta-like': true,
  'auth0-like': true,
  'google-like': true,
  'github-like': false,
  'keycloak-like': true,
};

/** Whether the IdP still honours this refresh token (looked up in the IdP itself). */
export async function liveRefreshToken(idp: TestIdp, token: string): Promise<boolean> {
  const rt = await idp.provider.RefreshToken.find(token);
  return !!rt && !rt.isExpired && !rt.consumed;
}

/**
 * A protected API next to the profile's IdP. Opaque tokens are looked up in the IdP (what
 * introspection does); JWT access tokens (RFC 9068, Auth0 with an audience) are verified against
 * the IdP's keys and the expected audience. `refuse` makes it reject a token the IdP still
 * accepts, as an API does whose own view differs (clock, revocation list).
 */
export class ProfileApi {
  readonly refuse = new Set<string>();
  readonly seen: { token: string; status: number }[] = [];
  url = '';
  private server!: Server;

  constructor(private readonly idp: TestIdp) {}

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const status = this.refuse.has(sha256(token)) ? 401 : await this.check(token);
      this.seen.push({ token: sha256(token), status });
      res.writeHead(status, status === 200 ? {} : { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/work`;
    return this;
  }

  /** 200 when the IdP issued this token, it is unexpired and (for a JWT) meant for `audience`. */
  async check(token: string, audience?: string): Promise<number> {
    if (token.split('.').length === 3) return (await this.jwtAudience(token, audience)) ? 200 : 401;
    const at = await this.idp.provider.AccessToken.find(token);
    return at && !at.isExpired ? 200 : 401;
  }

  /** The audience of a valid JWT access token from this IdP, or undefined. */
  async jwtAudience(token: string, expected?: string): Promise<string | undefined> {
    try {
      const res = await fetch(`${this.idp.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      const as = await oauth.processDiscoveryResponse(new URL(this.idp.issuer), res);
      const aud = expected ?? [JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud].flat()[0];
      const request = new Request(this.url, { headers: { authorization: `Bearer ${token}` } });
      const claims = await oauth.validateJwtAccessToken(as, request, aud, { [oauth.allowInsecureRequests]: true });
      return [claims.aud].flat()[0];
    } catch {
      return undefined;
    }
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

export function freePort(): Promise<number> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
