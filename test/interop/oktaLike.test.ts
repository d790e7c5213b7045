import assert from 'node:assert/strict';
import { interopSuite } from './profileSuite.js';
import { exactRedirectChecks } from './redirectChecks.js';

/** Okta: a custom authorization server's path in the issuer; the sign-in redirect URI compared exactly. */
interopSuite('okta-like', (c) => {
  it('discovers the custom authorization server under /oauth2/default and signs in at the endpoints it names', async () => {
    const w = await c().signedIn();
    const issuer = c().idp.issuer;
    const discovery = w.sent.filter((r) => r.url.pathname.includes('/.well-known/'));
    assert.ok(discovery.length > 0, 'a discovery request');
    for (const r of discovery) assert.match(r.url.pathname, /\/oauth2\/default(\/|$)/, r.url.href);
    // This IdP also answers at the origin's root paths; only its metadata says where the server is.
    const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.match(meta.token_endpoint, /\/oauth2\/default\//);
    assert.equal(`${w.authorizationUrl!.origin}${w.authorizationUrl!.pathname}`, meta.authorization_endpoint);
    assert.deepEqual(
      w.sent.filter((r) => r.form?.get('grant_type') === 'authorization_code').map((r) => r.url.href),
      [meta.token_endpoint],
    );
  });

  exactRedirectChecks(c);
});
