import assert from 'node:assert/strict';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { providerForGitRemote } from '../../src/session/consumers/gitRemote.js';

const provider = (id: string, patch: Partial<ProviderConfig>): ProviderConfig => ({
  id,
  label: id,
  clientId: 'c',
  scopes: ['openid'],
  flow: 'auto',
  envVar: 'X_TOKEN',
  ...patch,
});

describe('which provider answers git for a remote', () => {
  const acme = provider('acme', { issuer: 'https://login.acme.dev', gitHosts: ['git.acme.dev', 'git.acme.dev:8443'] });
  const beta = provider('beta', { issuer: 'https://id.beta.test' });
  const local = provider('local', { issuer: 'http://127.0.0.2:4000', gitHosts: ['127.0.0.2:5000'] });
  const all = [acme, beta, local];

  it('matches the configured git hosts, else the issuer’s host, port included', () => {
    assert.equal(providerForGitRemote(all, 'https://git.acme.dev')?.id, 'acme');
    assert.equal(providerForGitRemote(all, 'https://GIT.acme.dev:443')?.id, 'acme', 'the default port is no port');
    assert.equal(providerForGitRemote(all, 'https://git.acme.dev:8443')?.id, 'acme');
    assert.equal(providerForGitRemote(all, 'https://id.beta.test')?.id, 'beta');
    assert.equal(providerForGitRemote(all, 'http://127.0.0.2:5000')?.id, 'local');
  });

  it('answers for no other host, port or scheme, and never over plain http to a remote host', () => {
    for (const remote of [
      'https://login.acme.dev', // gitHosts replaces the issuer's host
      'https://git.acme.dev:9443',
      'https://evil.example',
      'https://git.acme.dev.evil.example',
      'http://git.acme.dev',
      'ssh://git.acme.dev',
      'http://127.0.0.2:4000',
      'not a url',
    ]) {
      assert.equal(providerForGitRemote(all, remote), undefined, remote);
    }
  });
});
