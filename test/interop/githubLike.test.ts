import assert from 'node:assert/strict';
import { gitHostsOf } from '../../src/session/config/config.js';
import { storedSession } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';

/** GitHub App: no discovery, explicit endpoints, JSON only with Accept: application/json, rotating refresh tokens. */
interopSuite('github-like', (c) => {
  it('has no discovery document, so the recipe names the endpoints and sign-in uses them', async () => {
    const origin = new URL(c().idp.issuer).origin;
    assert.equal((await fetch(`${origin}/.well-known/openid-configuration`)).status, 404);
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    assert.equal(s.endpoints.token_endpoint, `${origin}/login/oauth/access_token`);
    assert.equal(s.endpoints.revocation_endpoint, undefined);
    assert.equal(s.idToken, undefined, 'GitHub sends no ID token');
  });

  it('its token endpoint answers form-encoded unless asked for JSON (Agent Auth asks, or no sign-in here would work)', async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: s.refreshToken!,
      client_id: c().provider.clientId,
      client_secret: c().profile.clientSecret!,
    });
    const res = await fetch(s.endpoints.token_endpoint, { method: 'POST', body });
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(await res.text());
    assert.equal(form.get('token_type'), 'bearer');
    // That request rotated the refresh token behind the session's back; the session's next refresh
    // presents the old one, which the IdP now refuses: the session asks for a new sign-in.
    await assert.rejects(w.service.refreshNow(c().provider.id), /sign in again/);
  });

  it('gives git the token for github.com remotes', () => {
    assert.deepEqual(gitHostsOf(c().provider), ['github.com']);
  });
});
