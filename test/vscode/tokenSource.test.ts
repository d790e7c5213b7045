import assert from 'node:assert/strict';
import { resolveProviderId, signedInProviders, tokenSource } from '../../src/vscode/tokenSource.js';
import { provider, serviceWith, session } from './sessions.js';

describe('tokenSource', () => {
  const acme = provider('acme');
  const beta = provider('beta');
  const gamma = provider('gamma');

  it('counts a provider as signed in while it has a valid token or can refresh, and not once it needs sign-in', async () => {
    const expiredNoRefresh = session('beta', { refreshToken: undefined, expiresAt: Date.now() - 1000 });
    const deadRefresh = session('gamma', { refreshToken: undefined, needsSignIn: { reason: 'revoked', at: 0 } });
    const validNoRefresh = session('delta', { refreshToken: undefined });
    const expiredCanRefresh = session('acme', { expiresAt: Date.now() - 1000 });
    const service = await serviceWith(
      [acme, beta, gamma, provider('delta')],
      [expiredCanRefresh, expiredNoRefresh, deadRefresh, validNoRefresh],
    );
    assert.deepEqual(
      signedInProviders(service).map((p) => p.id),
      ['acme', 'delta'],
    );
    service.dispose();
  });

  it('picks the only signed-in provider when none is named', async () => {
    const service = await serviceWith([acme, beta], [session('beta')]);
    assert.equal(resolveProviderId(service, undefined), 'beta');
    const t = await tokenSource(service).getAccessToken(undefined);
    assert.equal(t.providerId, 'beta');
    assert.equal(t.envVar, 'BETA_TOKEN');
    assert.equal(t.accessToken, 'at-beta');
    service.dispose();
  });

  it('refuses to guess among several and lists their ids', async () => {
    const service = await serviceWith([acme, beta, gamma], [session('acme'), session('beta')]);
    await assert.rejects(
      tokenSource(service).getAccessToken(undefined),
      /Several providers are signed in; name one of: acme, beta\./,
    );
    assert.equal((await tokenSource(service).getAccessToken('acme')).accessToken, 'at-acme');
    service.dispose();
  });

  it('says when nobody is signed in, and passes a named provider through', async () => {
    const service = await serviceWith([acme], []);
    await assert.rejects(tokenSource(service).getAccessToken(undefined), { code: 'not_signed_in' });
    await assert.rejects(tokenSource(service).getAccessToken('acme'), { code: 'not_signed_in' });
    await assert.rejects(tokenSource(service).getAccessToken('nope'), { code: 'unknown_provider' });
    service.dispose();
  });
});
