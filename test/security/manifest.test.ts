import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ALLOWED_AUTHORIZATION_PARAMETERS, PROVIDER_FIELDS } from '../../src/session/config/config.js';

/** A workspace's own settings must not be able to steer where tokens come from or go. */
describe('security: manifest', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;

  it('every agentAuth setting is application- or machine-scoped (ignored in workspace settings)', () => {
    const keys = Object.keys(props);
    assert.ok(keys.length >= 5);
    for (const k of keys) assert.match(props[k].scope ?? 'window', /^(application|machine)$/, k);
  });

  it('the providers list, which chooses the issuer and envVar, is application-scoped', () => {
    assert.equal(props['agentAuth.providers'].scope, 'application');
  });

  it('declares limited support for untrusted workspaces and restricts the agents setting there', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('agentAuth.agents'));
    assert.equal(typeof pkg.capabilities.virtualWorkspaces.supported, 'boolean');
  });

  it('the providers schema lists exactly the fields the settings code accepts (additionalProperties is false)', () => {
    const items = (props['agentAuth.providers'] as { items: { properties: Record<string, { properties?: object }> } })
      .items;
    assert.deepEqual(Object.keys(items.properties).sort(), [...PROVIDER_FIELDS].sort());
    assert.deepEqual(
      Object.keys(items.properties.authorizationParameters.properties!).sort(),
      [...ALLOWED_AUTHORIZATION_PARAMETERS].sort(),
    );
    assert.deepEqual(Object.keys(items.properties.endpoints.properties!).sort(), [
      'authorization',
      'deviceAuthorization',
      'revocation',
      'token',
      'userinfo',
    ]);
  });

  it('activates lazily', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
  });

  it('every %key% in package.json has an English string', () => {
    const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));
    const keys = [...JSON.stringify(pkg).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 20);
    for (const k of keys) assert.ok(k in nls, `package.nls.json lacks ${k}`);
  });
});

describe('VSIX contents', () => {
  let files: string[];
  before(function () {
    this.timeout(60_000);
    files = execFileSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'ls', '--no-dependencies'], {
      encoding: 'utf8',
    }).split('\n');
  });

  it('ships the API type declarations, named by package.json "types"', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    assert.equal(pkg.types, './api.d.ts');
    assert.ok(files.includes('api.d.ts'), `the package holds: ${files.join(', ')}`);
  });

  it('ships every file README.md links to, so its links work in the Extensions view', () => {
    const readme = readFileSync('README.md', 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((l) => !/^([a-z]+:|#)/i.test(l))
      .map((l) => l.replace(/#.*$/, ''));
    assert.ok(links.length >= 5, `README.md links to ${links.join(', ')}`);
    const missing = links.filter((l) => !files.includes(l));
    assert.deepEqual(missing, [], `README.md links to files the VSIX lacks`);
  });

  it('ships every token-helper client: the POSIX script, the Node client and the Windows .cmd shim', () => {
    for (const f of ['bin/agent-auth-token', 'bin/agent-auth-token.js', 'bin/agent-auth-token.cmd'])
      assert.ok(files.includes(f), `${f} is not in the VSIX`);
  });
});
