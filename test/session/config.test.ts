import assert from 'node:assert/strict';
import { ENV_VAR_NAME } from '../../src/protocol/envVars.js';
import {
  DEFAULT_REFRESH,
  gitHostsOf,
  parseProviders,
  parseRefreshSettings,
  resourcesOf,
} from '../../src/session/config/config.js';

const valid = { id: 'acme', issuer: 'https://login.acme.dev', clientId: 'c1' };

describe('config: agentAuth.providers', () => {
  it('fills defaults for a minimal entry', () => {
    const { providers, problems } = parseProviders([valid]);
    assert.deepEqual(problems, []);
    assert.deepEqual(providers[0], {
      id: 'acme',
      label: 'acme',
      issuer: 'https://login.acme.dev',
      resource: undefined,
      clientId: 'c1',
      scopes: ['openid', 'offline_access'],
      allowedScopes: ['openid', 'offline_access'],
      flow: 'auto',
      envVar: 'ACME_TOKEN',
    });
  });

  it('the default envVar is a valid variable name for every provider id (one that starts with a digit gets a leading "_")', () => {
    for (const [id, envVar] of [
      ['acme', 'ACME_TOKEN'],
      ['my-idp.dev', 'MY_IDP_DEV_TOKEN'],
      ['1pass', '_1PASS_TOKEN'],
      ['9', '_9_TOKEN'],
    ]) {
      const { providers, problems } = parseProviders([{ ...valid, id }]);
      assert.deepEqual(problems, [], id);
      assert.equal(providers[0].envVar, envVar, id);
      assert.match(providers[0].envVar, ENV_VAR_NAME, id);
    }
  });

  it('allowedScopes: the configured scopes plus those listed; it must include every configured scope; validated like scopes', () => {
    const ok = parseProviders([{ ...valid, allowedScopes: ['openid', 'offline_access', 'api.write'] }]);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.providers[0].allowedScopes, ['openid', 'offline_access', 'api.write']);
    const missing = parseProviders([{ ...valid, scopes: ['openid', 'email'], allowedScopes: ['openid'] }]);
    assert.equal(missing.providers.length, 0);
    assert.match(missing.problems[0].message, /allowedScopes must include every scope in "scopes" \(missing "email"\)/);
    const bad = parseProviders([{ ...valid, allowedScopes: ['has space'] }]);
    assert.match(bad.problems[0].message, /allowedScopes.*each scope must be a non-empty token/);
  });

  it('accepts http only for loopback hosts', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://127.0.0.2:9', 'http://localhost:1', 'http://[::1]:3']) {
      assert.equal(parseProviders([{ ...valid, issuer }]).providers.length, 1, issuer);
    }
    const { providers, problems } = parseProviders([{ ...valid, issuer: 'http://login.acme.dev' }]);
    assert.equal(providers.length, 0);
    assert.match(problems[0].message, /issuer must use https:/);
    assert.equal(problems[0].where, 'agentAuth.providers[0] ("acme")');
  });

  it('skips each invalid entry with which entry, which field and why, and keeps the valid ones', () => {
    const { providers, problems } = parseProviders([
      { ...valid, id: 'bad id!' },
      valid,
      { id: 'x', clientId: 'c' },
      { ...valid, id: 'y', resource: 'https://api.acme.dev' },
      { ...valid, id: 'acme' },
      { ...valid, id: 'z', envVar: 'PATH' },
      { ...valid, id: 'w', flow: 'magic' },
      { ...valid, id: 'v', scopes: ['has space'] },
      { ...valid, id: 'u', issuer: 'ftp://acme.dev' },
      { ...valid, id: 't', issuer: 'https://acme.dev/?x=1' },
      'not an object',
    ]);
    assert.deepEqual(
      providers.map((p) => p.id),
      ['acme'],
    );
    const text = problems.map((p) => `${p.where}: ${p.message}`);
    assert.equal(text.length, 10);
    assert.match(text[0], /\[0\] \("bad id!"\): id must be/);
    assert.match(text[1], /\[2\] \("x"\): needs exactly one of "issuer", "resource" or "endpoints"/);
    assert.match(text[2], /\[3\] \("y"\): needs exactly one/);
    assert.match(text[3], /\[4\] \("acme"\): id "acme" is already used/);
    assert.match(text[4], /envVar names a variable that Agent Auth must not overwrite/);
    assert.match(text[5], /flow/);
    assert.match(text[6], /scopes\.0 each scope must be/);
    assert.match(text[7], /issuer must use https:/);
    assert.match(text[8], /must not contain a query or fragment/);
    assert.match(text[9], /agentAuth.providers\[10\]: entry/);
  });

  it('accepts a resource instead of an issuer', () => {
    const { providers } = parseProviders([{ id: 'api', resource: 'https://api.acme.dev/mcp', clientId: 'c' }]);
    assert.equal(providers[0].resource, 'https://api.acme.dev/mcp');
  });

  it('loads a server without discovery from its endpoints alone, with client authentication and a fixed redirect', () => {
    const { providers, problems } = parseProviders([
      {
        id: 'gh',
        clientId: 'Iv1.x',
        clientAuthentication: 'client_secret_post',
        endpoints: {
          authorization: 'https://github.com/login/oauth/authorize',
          token: 'https://github.com/login/oauth/access_token',
        },
        redirect: { host: 'localhost', port: 8400, path: '/cb' },
      },
    ]);
    assert.deepEqual(problems, []);
    const p = providers[0];
    assert.equal(p.issuer, undefined);
    assert.equal(p.endpoints?.token, 'https://github.com/login/oauth/access_token');
    assert.equal(p.clientAuthentication, 'client_secret_post');
    assert.deepEqual(p.redirect, { host: 'localhost', port: 8400, path: '/cb' });
    assert.deepEqual(gitHostsOf(p), ['github.com']);
  });

  it('takes audience, resources and allowlisted authorization parameters with an issuer (max_age as text)', () => {
    const { providers, problems } = parseProviders([
      {
        ...valid,
        audience: 'https://api.acme.dev',
        resources: ['https://api.acme.dev/mcp', 'https://files.acme.dev'],
        authorizationParameters: { prompt: 'select_account', max_age: 3600, login_hint: 'a@acme.dev' },
        clientAuthentication: 'none',
      },
    ]);
    assert.deepEqual(problems, []);
    const p = providers[0];
    assert.equal(p.audience, 'https://api.acme.dev');
    assert.deepEqual(resourcesOf(p), ['https://api.acme.dev/mcp', 'https://files.acme.dev']);
    assert.deepEqual(p.authorizationParameters, {
      prompt: 'select_account',
      max_age: '3600',
      login_hint: 'a@acme.dev',
    });
    assert.equal(p.clientAuthentication, undefined, 'none is the default and stored as absent');
  });

  it('sends the discovery resource first and each indicator once', () => {
    assert.deepEqual(resourcesOf({ resource: 'https://a.dev', resources: ['https://b.dev', 'https://a.dev'] }), [
      'https://a.dev',
      'https://b.dev',
    ]);
    assert.equal(resourcesOf({}), undefined);
  });

  it('reports a non-array setting once, and treats a missing one as empty', () => {
    assert.equal(parseProviders({ id: 'a' }).problems.length, 1);
    assert.deepEqual(parseProviders(undefined), { providers: [], problems: [] });
  });
});

describe('config: agentAuth.refresh.*', () => {
  it('rejects negative, NaN and absurd values with a message and keeps the default', () => {
    for (const [key, bad] of [
      ['remainingFraction', -1],
      ['remainingFraction', NaN],
      ['remainingFraction', 5],
      ['remainingFraction', '0.5'],
      ['minSecondsBeforeExpiry', -10],
      ['minSecondsBeforeExpiry', Infinity],
      ['minSecondsBeforeExpiry', 1e9],
    ] as const) {
      const { settings, problems } = parseRefreshSettings({ [key]: bad });
      assert.deepEqual(settings, DEFAULT_REFRESH, `${key}=${bad}`);
      assert.equal(problems.length, 1);
      assert.match(problems[0].message, /using the default/);
    }
  });

  it('takes valid values', () => {
    assert.deepEqual(parseRefreshSettings({ remainingFraction: 0.5, minSecondsBeforeExpiry: 5 }).settings, {
      remainingFraction: 0.5,
      minSecondsBeforeExpiry: 5,
    });
  });
});
