import assert from 'node:assert/strict';
import { parseAgents } from '../../src/vscode/agentsConfig.js';

const providers = ['acme', 'beta'];
const ok = { id: 'lint', provider: 'acme', command: '/usr/bin/agent' };

describe('agentsConfig', () => {
  it('accepts a minimal entry and fills defaults', () => {
    const r = parseAgents([ok], providers);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.agents, [{ ...ok, args: [], documentSelector: [], env: {} }]);
  });

  it('keeps args, document selectors and env', () => {
    const entry = {
      ...ok,
      args: ['--stdio'],
      documentSelector: ['python', { pattern: '**/*.agent' }],
      env: { LOG_LEVEL: 'debug' },
    };
    assert.deepEqual(parseAgents([entry], providers).agents, [entry]);
  });

  it('treats a missing setting as no agents and a non-array as one problem', () => {
    assert.deepEqual(parseAgents(undefined, providers), { agents: [], problems: [] });
    assert.deepEqual(parseAgents({ id: 'x' }, providers).problems, [
      { where: 'agentAuth.agents', message: 'must be an array of agent objects' },
    ]);
  });

  it('reports each invalid entry with where and why, and still loads the valid ones', () => {
    const r = parseAgents(
      [
        { id: 'bad id!', provider: 'acme', command: 'x' },
        ok,
        { id: 'nocmd', provider: 'acme' },
        { id: 'ghost', provider: 'nobody', command: 'x' },
        { ...ok },
        { id: 'envs', provider: 'beta', command: 'x', env: { AGENT_AUTH_IPC: '/tmp/x' } },
        { id: 'sel', provider: 'beta', command: 'x', documentSelector: [{}] },
        'not an object',
        { id: 'badenv', provider: 'beta', command: 'x', env: { '1X': 'y', OK: 'z' } },
      ],
      providers,
    );
    assert.deepEqual(
      r.agents.map((a) => a.id),
      ['lint'],
    );
    const byWhere = Object.fromEntries(r.problems.map((p) => [p.where, p.message]));
    assert.match(byWhere['agentAuth.agents[0] ("bad id!")'], /^id must be 1-64 letters/);
    assert.equal(byWhere['agentAuth.agents[2] ("nocmd")'], 'command is required');
    assert.equal(
      byWhere['agentAuth.agents[3] ("ghost")'],
      'provider "nobody" is not in agentAuth.providers (configured: "acme", "beta")',
    );
    assert.equal(byWhere['agentAuth.agents[4] ("lint")'], 'id "lint" is already used by an earlier entry');
    assert.match(byWhere['agentAuth.agents[5] ("envs")'], /^env\.AGENT_AUTH_IPC is set by Agent Auth itself/);
    assert.match(byWhere['agentAuth.agents[6] ("sel")'], /^documentSelector\.0 /);
    assert.ok(byWhere['agentAuth.agents[7]'], 'a non-object entry is reported by index');
    assert.equal(byWhere['agentAuth.agents[6] ("sel")'], 'documentSelector.0 needs "language", "scheme" or "pattern"');
    assert.equal(byWhere['agentAuth.agents[8] ("badenv")'], 'env.1X is not a valid environment variable name');
    assert.equal(r.problems.length, 8);
  });

  it('says when no providers are configured at all', () => {
    assert.match(parseAgents([ok], []).problems[0].message, /configured: none/);
  });
});
