import assert from 'node:assert/strict';
import { isAuthError } from '../../src/protocol/errors.js';
import { silentLogger } from '../../src/protocol/log.js';
import { AccountRegistry } from '../../src/session/accounts/accounts.js';
import { CLIENT_SECRET_KEY_PREFIX, ClientSecrets } from '../../src/session/signIn/clientContext.js';
import type { ClientAuthenticationMethod } from '../../src/session/config/config.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, storedSession, tempDir } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

const SECRET = 'cs-5f2e0c8a-canary-client-secret';

/**
 * A confidential client (Keycloak, Entra web registrations, Google desktop apps): the secret from
 * SecretStorage authenticates every token, refresh and revocation request, in the way the entry
 * names, and never shows up in a log line.
 */
describe('token lifecycle: client authentication', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({
      extraClients: (['client_secret_basic', 'client_secret_post'] as const).map((method) => ({
        client_id: `confidential-${method}`,
        client_secret: SECRET,
        token_endpoint_auth_method: method,
        application_type: 'native' as const,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      })),
    });
  });
  after(() => idp.close());

  for (const method of ['client_secret_basic', 'client_secret_post'] as ClientAuthenticationMethod[]) {
    it(`${method}: sign-in, refresh and revocation all authenticate; the secret is never logged`, async () => {
      const requests: { url: string; basic: boolean; secretInBody: boolean }[] = [];
      const fetch: typeof globalThis.fetch = async (input, init) => {
        if (init?.method === 'POST') {
          const headers = new Headers(init.headers);
          const body = new URLSearchParams(init.body as string | URLSearchParams);
          requests.push({
            url: input instanceof Request ? input.url : String(input),
            basic: /^Basic /.test(headers.get('authorization') ?? ''),
            secretInBody: body.get('client_secret') === SECRET,
          });
        }
        return globalThis.fetch(input, init);
      };
      const secrets = new MemorySecretStore();
      await new ClientSecrets(secrets).set('dev', SECRET);
      const log = new RecordingLogger();
      const w = lifecycleWindow(
        [idpProvider(idp, { clientId: `confidential-${method}`, clientAuthentication: method })],
        { secrets, fetch, log },
      );
      await signInThroughIdp(w.service, 'dev', idp);
      const s = await storedSession(w.store, 'dev');
      assert.equal(s.clientAuthentication, method);
      assert.ok(!JSON.stringify(s).includes(SECRET), 'the session entry does not hold the secret');
      await w.service.refreshNow('dev');
      const rt = (await storedSession(w.store, 'dev')).refreshToken!;
      await w.service.signOut('dev');
      assert.equal(
        await idp.provider.RefreshToken.find(rt),
        undefined,
        'revoked: the confidential client authenticated at the revocation endpoint',
      );
      assert.equal(requests.length, 3, 'code exchange, refresh, revocation');
      for (const r of requests) {
        assert.equal(r.basic, method === 'client_secret_basic', r.url);
        assert.equal(r.secretInBody, method === 'client_secret_post', r.url);
      }
      assert.ok(!log.text().includes(SECRET));
      w.service.dispose();
    });
  }

  it('a refresh after the secret was removed fails with a config error saying how to set it', async () => {
    const secrets = new MemorySecretStore();
    const clientSecrets = new ClientSecrets(secrets);
    await clientSecrets.set('dev', SECRET);
    const w = lifecycleWindow(
      [idpProvider(idp, { clientId: 'confidential-client_secret_basic', clientAuthentication: 'client_secret_basic' })],
      { secrets },
    );
    await signInThroughIdp(w.service, 'dev', idp);
    await clientSecrets.delete('dev');
    const err = await w.service.refreshNow('dev').catch((e: unknown) => e);
    assert.ok(isAuthError(err, 'config'), String(err));
    assert.match((err as Error).message, /Run "Agent Auth: Set Client Secret…"\.$/);
    w.service.dispose();
  });

  it('every account of a provider uses the provider’s one secret: a further account asks for none and stores no copy; a rotated secret reaches all', async () => {
    const secrets = new MemorySecretStore();
    const clientSecrets = new ClientSecrets(secrets);
    await clientSecrets.set('dev', 'an-old-secret');
    const w = lifecycleWindow([], { secrets, lockDir: tempDir('agent-auth-lock-') });
    const accounts = new AccountRegistry({ secrets, service: w.service, lock: w.lock, log: silentLogger });
    try {
      await accounts.setProviders([
        idpProvider(idp, { clientId: 'confidential-client_secret_basic', clientAuthentication: 'client_secret_basic' }),
      ]);
      const add = (accountId: string) =>
        accounts.addAccount('dev', async (lane) => {
          // What "Sign in" does first (clientSecretUi.ensureClientSecret): ask only when the lane's provider has no secret.
          if (!(await clientSecrets.get(lane.id))) return false;
          await signInThroughIdp(w.service, lane.id, idp, { accountId });
          return true;
        });
      // "Set Client Secret…" after the secret was rotated at the IdP, before the further account signs in.
      await clientSecrets.set('dev', SECRET);
      assert.equal(await add('alice@example.com'), 'dev');
      const bob = await add('bob@example.com');
      assert.ok(bob && bob !== 'dev', 'the further account signed in with the provider’s secret');
      await w.service.refreshNow(bob);
      assert.deepEqual(
        [...secrets.entries.keys()].filter((k) => k.startsWith(CLIENT_SECRET_KEY_PREFIX)),
        [CLIENT_SECRET_KEY_PREFIX + 'dev'],
        'one secret entry: the provider’s',
      );
      // The secret set through a lane (a further account's sign-in asking for it) is the provider's.
      await clientSecrets.set(bob, 'a-newer-secret');
      assert.equal(await clientSecrets.get('dev'), 'a-newer-secret');
      await clientSecrets.delete('dev');
      const err = await w.service.refreshNow(bob).catch((e: unknown) => e);
      assert.ok(isAuthError(err, 'config'), String(err));
      assert.match(
        (err as Error).message,
        /^Provider "dev" authenticates with a client secret/,
        'the message names the configured provider, not the lane',
      );
    } finally {
      accounts.dispose();
      w.service.dispose();
    }
  });
});
