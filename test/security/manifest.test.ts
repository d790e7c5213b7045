import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** A workspace's own settings must not be able to steer where tokens come from or go. */
describe('security: manifest', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;

  it('every agentAuth setting is application- or machine-scoped (ignored in workspace settings)', () => {
    const keys = Object.keys(props);
    assert.ok(keys.length >= 5);
    for (const k of keys) assert.match(props[k]!.scope ?? 'window', /^(application|machine)$/, k);
  });

  it('the providers list, which chooses the issuer and envVar, is application-scoped', () => {
    assert.equal(props['agentAuth.providers']!.scope, 'application');
  });

  it('declares limited support for untrusted workspaces and restricts the agents setting there', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('agentAuth.agents'));
    assert.equal(typeof pkg.capabilities.virtualWorkspaces.supported, 'boolean');
  });

  it('activates lazily', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
  });

  it('every %key% in package.json has an English string', () => {
    const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));
    const keys = [...JSON.stringify(pkg).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
    assert.ok(keys.length > 20);
    for (const k of keys) assert.ok(k in nls, `package.nls.json lacks ${k}`);
  });
});

describe('VSIX contents', () => {
  it('ships every token-helper client: the POSIX script, the Node client and the Windows .cmd shim', function () {
    this.timeout(30_000);
    const files = execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], { encoding: 'utf8' }).split('\n');
    for (const f of ['bin/agent-auth-token', 'bin/agent-auth-token.js', 'bin/agent-auth-token.cmd']) assert.ok(files.includes(f), `${f} is not in the VSIX`);
  });
});
