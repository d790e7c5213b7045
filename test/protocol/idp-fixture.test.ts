import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';

interface Metadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  device_authorization_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  code_challenge_methods_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
  grant_types_supported: string[];
}

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  error?: string;
}

const REDIRECT_URI = 'http://127.0.0.1:5999/callback';

async function getJson<T>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

async function post(url: string, form: Record<string, string>): Promise<{ status: number; body: TokenResponse }> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as TokenResponse };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(
  idp: TestIdp,
  meta: Metadata,
  challenge: string | undefined,
  extra: Record<string, string> = {},
): string {
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: idp.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access profile',
    state: 's-1',
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...extra,
  }).toString();
  return url.href;
}

/** Code flow with PKCE; `extra` goes on both the authorization and the token request. */
async function signIn(idp: TestIdp, meta: Metadata, extra: Record<string, string> = {}): Promise<TokenResponse> {
  const { verifier, challenge } = pkce();
  const callback = new URL(await idp.completeAuthorization(authorizationUrl(idp, meta, challenge, extra)));
  const res = await post(meta.token_endpoint, {
    grant_type: 'authorization_code',
    client_id: idp.clientId,
    code: callback.searchParams.get('code')!,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...extra,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body.error));
  return res.body;
}

const whoami = (idp: TestIdp, accessToken: string) =>
  fetch(`${idp.issuer}/api/whoami`, { headers: { authorization: `Bearer ${accessToken}` } });

const introspect = async (idp: TestIdp, meta: Metadata, token: string) => {
  const res = await fetch(meta.introspection_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ client_id: idp.clientId, token }),
  });
  return (await res.json()) as { active: boolean; exp?: number; iat?: number };
};

const refresh = (idp: TestIdp, meta: Metadata, refreshToken: string) =>
  post(meta.token_endpoint, { grant_type: 'refresh_token', client_id: idp.clientId, refresh_token: refreshToken });

describe('test IdP fixture', function () {
  this.timeout(5000);
  let idp: TestIdp;
  let meta: Metadata;

  beforeEach(async () => {
    idp = await startTestIdp({ resourceServer: true });
    meta = (await getJson<Metadata>(`${idp.issuer}/.well-known/openid-configuration`)).body;
  });
  afterEach(() => idp.close());

  it('serves OpenID and RFC 8414 metadata, and RFC 9728 resource metadata', async () => {
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.2:\d+$/);
    const rfc8414 = await getJson<Metadata>(`${idp.issuer}/.well-known/oauth-authorization-server`);
    assert.equal(rfc8414.status, 200);
    assert.deepEqual(rfc8414.body, meta);
    assert.equal(meta.issuer, idp.issuer);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.ok(meta.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:device_code'));
    assert.ok(meta.device_authorization_endpoint && meta.revocation_endpoint && meta.introspection_endpoint);
    const prm = await getJson<{ resource: string; authorization_servers: string[] }>(
      `${idp.issuer}/.well-known/oauth-protected-resource/api`,
    );
    assert.deepEqual([prm.body.resource, prm.body.authorization_servers], [`${idp.issuer}/api`, [idp.issuer]]);
  });

  it('completes code + PKCE with plain HTTP: iss on the redirect, opaque access token, refresh token', async () => {
    const { verifier, challenge } = pkce();
    const callback = new URL(
      await idp.completeAuthorization(authorizationUrl(idp, meta, challenge, { state: 'st-42' }), { accountId: 'bob' }),
    );
    assert.equal(`${callback.origin}${callback.pathname}`, 'http://127.0.0.1:5999/callback');
    assert.equal(callback.searchParams.get('state'), 'st-42');
    assert.equal(callback.searchParams.get('iss'), idp.issuer);
    assert.equal(idp.stats.tokenRequests, 0);
    const tokens = await post(meta.token_endpoint, {
      grant_type: 'authorization_code',
      client_id: idp.clientId,
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.expires_in, 60);
    assert.ok(tokens.body.refresh_token && tokens.body.id_token);
    assert.equal(tokens.body.access_token!.split('.').length, 1, 'opaque, not a JWT');
    assert.deepEqual([idp.stats.tokenRequests, idp.stats.grants], [1, { authorization_code: 1 }]);
  });

  it('requires PKCE, reports a denied login as access_denied, and delivers the redirect when asked', async () => {
    const noPkce = new URL(await idp.completeAuthorization(authorizationUrl(idp, meta, undefined)));
    assert.equal(noPkce.searchParams.get('error'), 'invalid_request');

    const denied = new URL(
      await idp.completeAuthorization(authorizationUrl(idp, meta, pkce().challenge), { deny: true }),
    );
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('iss'), idp.issuer);

    const hits: string[] = [];
    const loopback = createServer((req, res) => {
      hits.push(req.url!);
      res.end('ok');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = loopback.address() as AddressInfo;
      const url = new URL(authorizationUrl(idp, meta, pkce().challenge));
      url.searchParams.set('redirect_uri', `http://127.0.0.1:${port}/callback`);
      const delivered = await idp.completeAuthorization(url.href, { deliver: true });
      assert.equal(hits.length, 1);
      assert.equal(`http://127.0.0.1:${port}${hits[0]}`, delivered);
    } finally {
      loopback.close();
    }
  });

  it('rotates refresh tokens; a reused one is invalid_grant, counted, and kills the grant', async () => {
    const first = await signIn(idp, meta);
    const second = await refresh(idp, meta, first.refresh_token!);
    assert.equal(second.status, 200);
    assert.ok(second.body.refresh_token && second.body.refresh_token !== first.refresh_token);
    assert.equal(idp.stats.doubleRedemptions(), 0);

    const reuse = await refresh(idp, meta, first.refresh_token!);
    assert.deepEqual([reuse.status, reuse.body.error], [400, 'invalid_grant']);
    assert.equal(idp.stats.doubleRedemptions(), 1);
    assert.equal(idp.stats.grantsRevokedForReuse, 1);
    const newest = await refresh(idp, meta, second.body.refresh_token);
    assert.equal(newest.body.error, 'invalid_grant', 'oidc-provider revokes the whole grant on reuse');
    assert.deepEqual([idp.stats.tokenRequests, idp.stats.grants], [4, { authorization_code: 1, refresh_token: 3 }]);

    idp.stats.reset();
    assert.deepEqual(
      [idp.stats.tokenRequests, idp.stats.doubleRedemptions(), idp.stats.grantsRevokedForReuse],
      [0, 0, 0],
    );
  });

  it('without rotation the same refresh token keeps working; TTL changes apply to new tokens', async () => {
    idp.setRotation(false);
    idp.setAccessTokenTtl(7);
    const first = await signIn(idp, meta);
    assert.equal(first.expires_in, 7);
    for (let i = 0; i < 2; i++) {
      const next = await refresh(idp, meta, first.refresh_token!);
      assert.equal(next.status, 200);
      assert.equal(next.body.refresh_token, first.refresh_token);
    }
    assert.equal(idp.stats.doubleRedemptions(), 1);
    assert.equal(idp.stats.grantsRevokedForReuse, 0);
  });

  it('device flow: pending until approved, then tokens with a refresh token; denial is access_denied', async () => {
    const start = async (extra: Record<string, string> = {}) => {
      const res = await fetch(meta.device_authorization_endpoint, {
        method: 'POST',
        body: new URLSearchParams({ client_id: idp.clientId, scope: 'openid offline_access', ...extra }),
      });
      return (await res.json()) as { device_code: string; user_code: string; verification_uri: string };
    };
    const poll = (deviceCode: string) =>
      post(meta.token_endpoint, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: idp.clientId,
        device_code: deviceCode,
      });

    const approved = await start({ resource: `${idp.issuer}/api` });
    assert.equal(approved.verification_uri, `${idp.issuer}/device`);
    assert.equal((await poll(approved.device_code)).body.error, 'authorization_pending');
    await idp.approveDevice(approved.user_code, { accountId: 'carol' });
    const tokens = await poll(approved.device_code);
    assert.equal(tokens.status, 200);
    assert.ok(tokens.body.refresh_token);
    assert.equal(((await (await whoami(idp, tokens.body.access_token!)).json()) as { sub: string }).sub, 'carol');

    const denied = await start();
    await idp.approveDevice(denied.user_code, { deny: true });
    assert.equal((await poll(denied.device_code)).body.error, 'access_denied');

    await assert.rejects(idp.approveDevice('BCDF-GHJK'), /not accepted \(NotFoundError\)/);
    assert.equal(idp.stats.grants['urn:ietf:params:oauth:grant-type:device_code'], 3);
  });

  it('RFC 8707: the served resource gets an audience-bound token that whoami accepts, also after refresh', async () => {
    const resource = `${idp.issuer}/api`;
    const tokens = await signIn(idp, meta, { resource, scope: 'openid offline_access api' });
    const ok = await whoami(idp, tokens.access_token!);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {
      sub: 'alice',
      client_id: idp.clientId,
      scope: 'api',
      exp: (await introspect(idp, meta, tokens.access_token!)).exp,
    });
    const refreshed = await refresh(idp, meta, tokens.refresh_token!);
    assert.equal((await whoami(idp, refreshed.body.access_token!)).status, 200, 'refresh keeps the audience');

    const plain = await signIn(idp, meta);
    const rejected = await whoami(idp, plain.access_token!);
    assert.equal(rejected.status, 401, 'a token without the audience is refused');
    assert.equal(
      rejected.headers.get('www-authenticate'),
      `Bearer resource_metadata="${idp.issuer}/.well-known/oauth-protected-resource/api", error="invalid_token"`,
    );
    const anonymous = await fetch(`${idp.issuer}/api/whoami`);
    assert.equal(
      anonymous.headers.get('www-authenticate'),
      `Bearer resource_metadata="${idp.issuer}/.well-known/oauth-protected-resource/api"`,
    );

    const unknown = new URL(
      await idp.completeAuthorization(
        authorizationUrl(idp, meta, pkce().challenge, { resource: `${idp.issuer}/other` }),
      ),
    );
    assert.equal(unknown.searchParams.get('error'), 'invalid_target');
  });

  it('revocation is counted and ends the grant', async () => {
    const tokens = await signIn(idp, meta);
    const res = await fetch(meta.revocation_endpoint, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: idp.clientId,
        token: tokens.refresh_token!,
        token_type_hint: 'refresh_token',
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(idp.stats.revocations, 1);
    assert.equal((await refresh(idp, meta, tokens.refresh_token!)).body.error, 'invalid_grant');
    assert.equal((await introspect(idp, meta, tokens.access_token!)).active, false);
  });
});

describe('test IdP fixture options', () => {
  it('honours host, client id and refresh token lifetime; without resourceServer no resource is known', async () => {
    const idp = await startTestIdp({ host: '127.0.0.3', clientId: 'other-client', refreshTokenTtl: 600 });
    try {
      assert.match(idp.issuer, /^http:\/\/127\.0\.0\.3:\d+$/);
      const meta = (await getJson<Metadata>(`${idp.issuer}/.well-known/oauth-authorization-server`)).body;
      const tokens = await signIn(idp, meta);
      const rt = await introspect(idp, meta, tokens.refresh_token!);
      assert.equal(rt.exp! - rt.iat!, 600);
      const unknown = new URL(
        await idp.completeAuthorization(
          authorizationUrl(idp, meta, pkce().challenge, { resource: `${idp.issuer}/api` }),
        ),
      );
      assert.equal(unknown.searchParams.get('error'), 'invalid_target');
      assert.equal((await whoami(idp, tokens.access_token!)).status, 404);
    } finally {
      await idp.close();
    }
  });
});
