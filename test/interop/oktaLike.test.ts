import assert from 'node:assert/strict';
import { storedSession } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';
import { exactRedirectChecks } from './redirectChecks.js';

/** Okta: a custom authorization server's path in the issuer; the sign-in redirect URI compared exactly. */
interopSuite('okta-like', (c) => {
  it('discovers the custom authorization server under /oauth2/default', async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    assert.match(s.endpoints.issuer, /\/oauth2\/default$/);
    assert.match(s.endpoints.token_endpoint, /\/oauth2\/default\//);
  });

  exactRedirectChecks(c);
});
