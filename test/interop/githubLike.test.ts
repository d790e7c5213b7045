import assert from 'node:assert/strict';
import { startTokenHelperServer } from '../../src/helper/server.js';
import { tokenSource } from '../../src/vscode/tokenSource.js';
import { runHelper } from '../helper/harness.js';
import { storedSession, tempDir } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';

/** GitHub App: no discovery, explicit endpoints, JSON only with Accept: application/json, rotating refresh tokens. */
interopSuite('github-like', (c) => {
  it('has no discovery document, so sign-in goes to the endpoints the recipe names without looking for one', async () => {
    const origin = new URL(c().idp.issuer).origin;
    assert.equal((await fetch(`${origin}/.well-known/openid-configuration`)).status, 404);
    const w = await c().signedIn();
    assert.deepEqual(
      w.sent.filter((r) => r.url.pathname.includes('/.well-known/')),
      [],
      'no discovery request',
    );
    assert.equal(`${w.authorizationUrl!.origin}${w.authorizationUrl!.pathname}`, `${origin}/login/oauth/authorize`);
    const exchange = w.sent.filter((r) => r.form?.get('grant_type') === 'authorization_code');
    assert.deepEqual(
      exchange.map((r) => `${r.method} ${r.url.href}`),
      [`POST ${origin}/login/oauth/access_token`],
    );
    // client_secret_post, as the recipe says: the secret in the form, for the code exchange.
    assert.equal(exchange[0].form!.get('client_secret'), c().profile.clientSecret);
    const s = await storedSession(w.store, c().provider.id);
    assert.equal(s.idToken, undefined, 'GitHub sends no ID token');
    // With no revocation endpoint known, sign-out sends nothing to the IdP.
    const before = w.sent.length;
    await w.service.signOut(c().provider.id);
    assert.deepEqual(w.sent.slice(before), []);
  });

  it('asks the token endpoint for JSON (it answers form-encoded otherwise) and uses the lower-case "bearer" answer', async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    const refreshed = await w.service.refreshNow(c().provider.id);
    const tokenRequests = w.sent.filter((r) => r.url.pathname === '/login/oauth/access_token');
    assert.deepEqual(
      tokenRequests.map((r) => [r.form?.get('grant_type'), r.accept]),
      [
        ['authorization_code', 'application/json'],
        ['refresh_token', 'application/json'],
      ],
    );
    assert.equal(await c().api.check(refreshed.accessToken!), 200, 'the refreshed token is one the API accepts');
    // A client that does not ask gets a form (the IdP's side of that contract, for the record).
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: (await storedSession(w.store, c().provider.id)).refreshToken!,
      client_id: c().provider.clientId,
      client_secret: c().profile.clientSecret!,
    });
    const res = await fetch(s.endpoints.token_endpoint, { method: 'POST', body });
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-www-form-urlencoded/);
    // That request rotated the refresh token behind the session's back; the session's next refresh
    // presents the old one, which the IdP now refuses: the session asks for a new sign-in.
    await assert.rejects(w.service.refreshNow(c().provider.id), /sign in again/);
  });

  it('gives git the token for github.com remotes only, not for the host its endpoints are on', async () => {
    const w = await c().signedIn();
    const s = await storedSession(w.store, c().provider.id);
    const server = await startTokenHelperServer({ dir: tempDir('agent-auth-run-'), source: tokenSource(w.service) });
    try {
      const git = (attrs: string) =>
        runHelper(['git-credential', c().provider.id, 'get'], { ...process.env, ...server.env }, `${attrs}\n\n`);
      const served = await git('protocol=https\nhost=github.com\npath=org/repo.git');
      assert.equal(served.code, 0, served.stderr);
      assert.match(served.stdout, /^username=oauth2\npassword=(\S+)\n/);
      assert.equal(/password=(\S+)/.exec(served.stdout)![1], s.accessToken);
      // Without gitHosts the token would go to the authorization endpoint's host: here, the IdP's.
      const idpHost = new URL(c().idp.issuer);
      for (const attrs of [
        `protocol=${idpHost.protocol.slice(0, -1)}\nhost=${idpHost.host}`,
        'protocol=https\nhost=gist.github.com',
        'protocol=https\nhost=github.com.evil.example',
      ]) {
        const refused = await git(attrs);
        assert.equal(refused.code, 1, attrs);
        assert.equal(refused.stdout, '', attrs);
        assert.match(refused.stderr, /GitHub gives its token only to github\.com \(gitHosts/, attrs);
      }
    } finally {
      await server.close();
    }
  });
});
