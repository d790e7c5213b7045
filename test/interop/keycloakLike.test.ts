import assert from 'node:assert/strict';
import { storedSession } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';
import { exactRedirectChecks } from './redirectChecks.js';

/** Keycloak: realm path in the issuer, exact redirect URIs, 5-minute access tokens. */
interopSuite('keycloak-like', (c) => {
  it('gets 5-minute access tokens at the realm issuer', async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    assert.match(s.endpoints.issuer, /\/realms\/agents$/);
    assert.equal(Math.round((s.expiresAt - s.obtainedAt) / 10_000) * 10, 300);
  });

  exactRedirectChecks(c);
});
