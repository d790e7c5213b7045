import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { getIdToken, jwtTimes } from '../../src/session/consumers/idToken.js';
import { refreshGrants } from '../support/idpChecks.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  sleep,
  storedSession,
  type Window,
} from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('ID token for kubectl and other OIDC consumers (real IdP)', function () {
  this.timeout(60_000);
  let idp: TestIdp | undefined;
  let w: Window | undefined;
  afterEach(async () => {
    w?.service.dispose();
    await idp?.close();
    idp = w = undefined;
  });

  it('hands out the ID token the IdP issued, and renews it by a refresh once it is within half its lifetime of expiry', async () => {
    idp = await startTestIdp({ accessTokenTtl: 600, idTokenTtl: 6 });
    w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore() });
    await signInThroughIdp(w.service, 'dev', idp);
    idp.stats.reset();

    const first = await getIdToken(w.service, 'dev');
    const c = claims(first.idToken);
    assert.equal(c.iss, idp.issuer);
    assert.equal(c.aud, idp.clientId);
    assert.equal(first.expiresAt, (c.exp as number) * 1000);
    assert.equal(refreshGrants(idp), 0, 'a young ID token needs no refresh');
    assert.equal((await getIdToken(w.service, 'dev')).idToken, first.idToken);

    // Wait (polling) until less than half of its 6 s lifetime is left: the next call must refresh.
    while (first.expiresAt - Date.now() >= 3000) await sleep(100);
    const second = await getIdToken(w.service, 'dev');
    assert.notEqual(second.idToken, first.idToken);
    assert.ok(second.expiresAt > first.expiresAt, 'the new ID token lives longer');
    assert.ok(second.expiresAt - Date.now() > 3000);
    assert.equal(refreshGrants(idp), 1);
  });

  it('says clearly when the provider issued no ID token (a plain OAuth 2 server)', async () => {
    // oidc-provider always issues one; a plain OAuth 2 server's session is the same record without it.
    idp = await startTestIdp();
    const secrets = new MemorySecretStore();
    const signedIn = lifecycleWindow([idpProvider(idp)], { secrets });
    await signInThroughIdp(signedIn.service, 'dev', idp);
    await signedIn.store.write({ ...(await storedSession(signedIn.store, 'dev')), idToken: undefined });
    signedIn.service.dispose();
    w = lifecycleWindow([idpProvider(idp)], { secrets });
    assert.ok(await w.service.getAccessToken('dev'), 'the access token still works');
    await assert.rejects(
      getIdToken(w.service, 'dev'),
      /^SessionError: Dev IdP issued no ID token\. .*add "openid" to the provider's scopes/,
    );
  });

  it('reads exp and iat of a JWT, and nothing from anything else', () => {
    const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    assert.deepEqual(jwtTimes(jwt({ exp: 100, iat: 40 })), { exp: 100_000, iat: 40_000 });
    assert.deepEqual(jwtTimes(jwt({ exp: 100 })), { exp: 100_000 });
    for (const bad of [jwt({ exp: '100' }), jwt(null), jwt([1]), 'a.b', 'a.%%%.c', 'opaque-token', jwt({ iat: 1 })])
      assert.equal(jwtTimes(bad), undefined, bad);
  });
});
