import assert from 'node:assert/strict';
import { JumpingClock } from '../support/jumpingClock.js';
import { storedSession, waitFor } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';
import { exactRedirectChecks } from './redirectChecks.js';

/** Keycloak: realm path in the issuer, exact redirect URIs, 5-minute access tokens. */
interopSuite('keycloak-like', (c) => {
  it('discovers the realm at its issuer', async () => {
    const w = await c().signedIn();
    const discovery = w.sent.filter((r) => r.url.pathname.includes('/.well-known/'));
    assert.ok(discovery.length > 0, 'a discovery request');
    for (const r of discovery) assert.match(r.url.pathname, /\/realms\/agents(\/|$)/, r.url.href);
  });

  it('with 5-minute access tokens, a wish for 10 minutes of validity is held to half the lifetime', async () => {
    const clock = new JumpingClock();
    const w = await c().signedIn({ clock });
    const first = await storedSession(w.store, c().provider.id);
    const refreshes = () => w.sent.filter((r) => r.form?.get('grant_type') === 'refresh_token').length;
    // Fresh: the token in hand is served, although it cannot last 10 minutes.
    const served = await w.service.getAccessToken(c().provider.id, { minValiditySeconds: 600 });
    assert.equal(served.accessToken, first.accessToken);
    assert.equal(refreshes(), 0, 'no refresh for a wish no token of this IdP can meet');
    // 2 min 40 s later, under half of the 5 minutes is left: the same wish now refreshes.
    clock.jump(160_000);
    const later = await w.service.getAccessToken(c().provider.id, { minValiditySeconds: 600 });
    assert.equal(refreshes(), 1);
    await waitFor(
      async () => (await storedSession(w.store, c().provider.id)).accessToken !== first.accessToken,
      'the refreshed token in the store',
    );
    assert.equal(await c().api.check(later.accessToken), 200);
  });

  exactRedirectChecks(c);
});
