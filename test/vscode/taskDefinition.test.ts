import assert from 'node:assert/strict';
import { delimiter, join, resolve } from 'node:path';
import { childEnv } from '../../src/vscode/childEnv.js';
import { parseTaskDefinition, resolveCwd } from '../../src/vscode/taskDefinition.js';

describe('agent-auth task definition', () => {
  it('parses a definition from tasks.json, defaulting args', () => {
    const r = parseTaskDefinition({ type: 'agent-auth', provider: 'acme', command: 'agent', label: 'ignored' });
    assert.deepEqual(r, { ok: true, definition: { type: 'agent-auth', provider: 'acme', command: 'agent', args: [] } });
    const full = parseTaskDefinition({
      type: 'agent-auth',
      provider: 'acme',
      command: 'agent',
      args: ['--once'],
      cwd: 'sub',
    });
    assert.deepEqual(full, {
      ok: true,
      definition: { type: 'agent-auth', provider: 'acme', command: 'agent', args: ['--once'], cwd: 'sub' },
    });
  });

  it('names every field that is wrong', () => {
    const r = parseTaskDefinition({ type: 'agent-auth', provider: '', args: 'x' });
    assert.equal(r.ok, false);
    const message = (r as { message: string }).message;
    assert.equal(message, 'provider is required; command is required; args must be an array of strings');
    const wrongTypes = parseTaskDefinition({ type: 'agent-auth', provider: 'acme', command: 7, args: ['a', 1] });
    assert.deepEqual(wrongTypes, { ok: false, message: 'command must be a string; args.1 must be a string' });
  });

  it('resolves cwd against the task folder, else the fallback', () => {
    const folder = resolve('/work/proj');
    const home = resolve('/home/u');
    assert.equal(resolveCwd(undefined, folder, home), folder);
    assert.equal(resolveCwd('sub/dir', folder, home), join(folder, 'sub/dir'));
    assert.equal(resolveCwd('../x', folder, home), resolve(folder, '../x'));
    assert.equal(resolveCwd(resolve('/abs'), folder, home), resolve('/abs'));
    assert.equal(resolveCwd(undefined, undefined, home), home);
    assert.equal(resolveCwd('sub', undefined, home), join(home, 'sub'));
  });
});

describe('childEnv', () => {
  const helper = { env: { AGENT_AUTH_IPC: '/run/x.sock', AGENT_AUTH_NONCE: 'n' }, binDir: '/opt/agent-auth/bin' };
  const token = { envVar: 'ACME_TOKEN', accessToken: 'tok' };

  it('layers base, helper and token, with the helper bin first on PATH', () => {
    const base = { PATH: '/usr/bin', HOME: '/h', ACME_TOKEN: 'stale', AGENT_AUTH_IPC: 'stale' };
    const env = childEnv(base, helper, token);
    assert.deepEqual(env, {
      PATH: `/opt/agent-auth/bin${delimiter}/usr/bin`,
      HOME: '/h',
      ACME_TOKEN: 'tok',
      AGENT_AUTH_IPC: '/run/x.sock',
      AGENT_AUTH_NONCE: 'n',
    });
    assert.equal(base.ACME_TOKEN, 'stale', 'the base object is not modified');
  });

  it('keeps the existing spelling of PATH and copes without one', () => {
    assert.equal(childEnv({ Path: 'C:\\bin' }, helper, token).Path, `/opt/agent-auth/bin${delimiter}C:\\bin`);
    assert.equal(childEnv({}, helper, token).PATH, '/opt/agent-auth/bin');
  });

  it('still hands over the token when the helper is unavailable', () => {
    assert.deepEqual(childEnv({ PATH: '/usr/bin' }, undefined, token), { PATH: '/usr/bin', ACME_TOKEN: 'tok' });
  });
});
