import assert from 'node:assert/strict';
import { isAuthError } from '../../src/protocol/errors.js';
import { parseProviders } from '../../src/session/config/config.js';
import { ENTRA_TENANT_DOMAIN, ENTRA_TENANT_ID } from '../fixtures/idpProfiles.js';
import { signInThroughIdp, storedSession } from '../support/lifecycle.js';
import { interopSuite, liveRefreshToken } from './profileSuite.js';

/** Entra ID: tenant GUID in the issuer, no revocation endpoint, `api://…/.default` scopes, refresh tokens kept. */
interopSuite('entra-like', (c) => {
  it('asks for the api://…/.default scope, and keeps the refresh token the IdP does not replace', async () => {
    const w = await c().signedIn();
    assert.ok(
      w.authorizationUrl!.searchParams.get('scope')!.split(' ').includes('api://entra-app-id/.default'),
      w.authorizationUrl!.href,
    );
    const before = await storedSession(w.store, c().provider.id);
    await w.service.refreshNow(c().provider.id);
    await w.service.refreshNow(c().provider.id);
    const presented = w.sent
      .filter((r) => r.form?.get('grant_type') === 'refresh_token')
      .map((r) => r.form!.get('refresh_token'));
    assert.deepEqual(presented, [before.refreshToken, before.refreshToken], 'both refreshes present the one token');
    const after = await storedSession(w.store, c().provider.id);
    assert.equal(after.refreshToken, before.refreshToken);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(await liveRefreshToken(c().idp, before.refreshToken!), true);
  });

  /** The recipe with `issuer` replaced; signs in and returns the error. */
  async function signInWithIssuer(issuer: string): Promise<Error> {
    const { providers } = parseProviders([{ ...c().entry, issuer }]);
    const w = c().window(providers[0]);
    return signInThroughIdp(w.service, c().provider.id, c().idp).then(
      () => assert.fail('sign-in succeeded'),
      (e: Error) => e,
    );
  }

  it('an issuer naming the tenant domain gets an error naming both issuers and what to put in "issuer"', async () => {
    const origin = new URL(c().idp.issuer).origin;
    const err = await signInWithIssuer(`${origin}/${ENTRA_TENANT_DOMAIN}/v2.0`);
    assert.ok(isAuthError(err, 'issuer_mismatch'), String(err));
    assert.equal(
      err.message,
      `The metadata at ${origin}/${ENTRA_TENANT_DOMAIN}/v2.0 names the issuer "${origin}/${ENTRA_TENANT_ID}/v2.0", not "${origin}/${ENTRA_TENANT_DOMAIN}/v2.0" as configured. ` +
        `If that is the server you mean, set "issuer" to "${origin}/${ENTRA_TENANT_ID}/v2.0" (Entra ID names the tenant by its ID in the issuer, even when the URL names the tenant's domain).`,
    );
  });

  for (const tenant of ['common', 'organizations']) {
    it(`the multi-tenant "${tenant}" endpoint's {tenantid} template is explained, with the issuer to use`, async () => {
      const origin = new URL(c().idp.issuer).origin;
      const err = await signInWithIssuer(`${origin}/${tenant}/v2.0`);
      assert.ok(isAuthError(err, 'issuer_mismatch'), String(err));
      assert.match(
        err.message,
        new RegExp(
          `^${origin}/${tenant}/v2\\.0 is a multi-tenant endpoint: its metadata names the issuer template "${origin}/\\{tenantid\\}/v2\\.0"`,
        ),
      );
      assert.ok(err.message.includes(`set "issuer" to "${origin}/<your tenant ID>/v2.0"`), err.message);
    });
  }
});
