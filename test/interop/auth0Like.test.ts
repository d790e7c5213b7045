import assert from 'node:assert/strict';
import { parseProviders } from '../../src/session/config/config.js';
import { AUTH0_AUDIENCE } from '../fixtures/idpProfiles.js';
import { signInThroughIdp, storedSession } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';
import { exactRedirectChecks } from './redirectChecks.js';

const isJwt = (t: string) => t.split('.').length === 3;

/** Auth0: an opaque access token unless `audience` names an API; the audience is kept on refresh. */
interopSuite('auth0-like', (c) => {
  it("with the recipe's audience: a JWT access token for that API, on sign-in and on every refresh", async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    assert.ok(isJwt(s.accessToken!));
    assert.equal(await c().api.jwtAudience(s.accessToken!, AUTH0_AUDIENCE), AUTH0_AUDIENCE);
    const refreshed = await w.service.refreshNow(c().provider.id);
    assert.equal(await c().api.jwtAudience(refreshed.accessToken!, AUTH0_AUDIENCE), AUTH0_AUDIENCE);
  });

  it('without audience: an opaque token the API cannot use as a JWT', async () => {
    const { audience: _, ...entry } = c().entry;
    const { providers } = parseProviders([entry]);
    const w = c().window(providers[0]);
    const s = await signInThroughIdp(w.service, c().provider.id, c().idp);
    assert.equal(isJwt(s.accessToken!), false);
  });

  exactRedirectChecks(c);
});
