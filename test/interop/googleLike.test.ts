import assert from 'node:assert/strict';
import { isAuthError } from '../../src/protocol/errors.js';
import { signInThroughIdp } from '../support/lifecycle.js';
import { interopSuite } from './profileSuite.js';

/** Google "Desktop app": the client secret is required on the token request; refresh tokens are not rotated. */
interopSuite('google-like', (c) => {
  it('without a stored client secret, sign-in stops before the browser opens and says how to set it', async () => {
    const w = c().window(undefined, { clientSecret: null });
    const err = await w.service
      .signIn(c().provider.id, {
        preferredFlow: 'authorizationCode',
        openBrowser: async () => assert.fail('no browser without a secret'),
        onUserCode: () => undefined,
        signal: new AbortController().signal,
      })
      .catch((e: unknown) => e);
    assert.ok(isAuthError(err, 'config'), String(err));
    assert.equal(
      (err as Error).message,
      'Provider "google" authenticates with a client secret (client_secret_post), and none is stored. Run "Agent Auth: Set Client Secret…".',
    );
  });

  it("with a wrong client secret, the token endpoint's invalid_client is reported", async () => {
    const w = c().window(undefined, { clientSecret: 'not-the-secret' });
    const err = await signInThroughIdp(w.service, c().provider.id, c().idp).catch((e: unknown) => e);
    assert.ok(isAuthError(err, 'oauth_error'), String(err));
    assert.equal((err as { details: { oauthError?: string } }).details.oauthError, 'invalid_client');
  });
});
