import assert from 'node:assert/strict';
import { parseMcpServers } from '../../src/vscode/mcpConfig.js';

const providers = ['acme', 'beta'];
const http = { id: 'docs', provider: 'acme', url: 'https://mcp.example.com/mcp' };
const stdio = { id: 'local', provider: 'beta', command: 'npx', args: ['-y', 'some-mcp'], env: { LOG: 'debug' } };

describe('mcpConfig', () => {
  it('accepts HTTP and stdio entries, the label defaulting to the id', () => {
    const r = parseMcpServers([http, { ...stdio, label: 'Local tools' }], providers);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.servers, [
      { kind: 'http', id: 'docs', label: 'docs', provider: 'acme', url: http.url },
      {
        kind: 'stdio',
        id: 'local',
        label: 'Local tools',
        provider: 'beta',
        command: 'npx',
        args: ['-y', 'some-mcp'],
        env: { LOG: 'debug' },
      },
    ]);
    assert.deepEqual(parseMcpServers([{ id: 's', provider: 'acme', command: 'x' }], providers).servers[0], {
      kind: 'stdio',
      id: 's',
      label: 's',
      provider: 'acme',
      command: 'x',
      args: [],
      env: {},
    });
  });

  it('treats a missing setting as no servers and a non-array as one problem', () => {
    assert.deepEqual(parseMcpServers(undefined, providers), { servers: [], problems: [] });
    assert.deepEqual(parseMcpServers({ id: 'x' }, providers).problems, [
      { where: 'agentAuth.mcpServers', message: 'must be an array of server objects' },
    ]);
  });

  it('reports each invalid entry with where and why, and still publishes the valid ones', () => {
    const r = parseMcpServers(
      [
        http,
        { ...http, id: 'plain', url: 'http://mcp.example.com/mcp' },
        { ...http, id: 'loop', url: 'http://127.0.0.2:8080/mcp' },
        { ...http, id: 'both', command: 'x' },
        { id: 'neither', provider: 'acme' },
        { ...http, id: 'ghost', provider: 'nobody' },
        { ...http, id: 'docs' },
        { ...http, id: 'samelabel', label: 'docs' },
        { ...stdio, id: 'env', env: { AGENT_AUTH_SOCKET: '/tmp/x' } },
        { ...http, id: 'extra', headers: { Authorization: 'Bearer x' } },
        'not an object',
      ],
      providers,
    );
    assert.deepEqual(
      r.servers.map((s) => s.id),
      ['docs', 'loop'],
    );
    const byWhere = Object.fromEntries(r.problems.map((p) => [p.where, p.message]));
    assert.match(byWhere['agentAuth.mcpServers[1] ("plain")'], /url.*https: URL \(http: only on a loopback host\)/);
    assert.match(byWhere['agentAuth.mcpServers[3] ("both")'], /both "url".*"command"/);
    assert.match(byWhere['agentAuth.mcpServers[4] ("neither")'], /command.*required/);
    assert.match(
      byWhere['agentAuth.mcpServers[5] ("ghost")'],
      /provider "nobody" is not in agentAuth.providers \(configured: "acme", "beta"\)/,
    );
    assert.match(byWhere['agentAuth.mcpServers[6] ("docs")'], /id "docs" is already used/);
    assert.match(byWhere['agentAuth.mcpServers[7] ("samelabel")'], /label "docs" is already used/);
    assert.match(byWhere['agentAuth.mcpServers[8] ("env")'], /AGENT_AUTH_SOCKET.*set by Agent Auth/);
    assert.match(byWhere['agentAuth.mcpServers[9] ("extra")'], /headers/);
    assert.ok(byWhere['agentAuth.mcpServers[10]']);
    assert.equal(r.problems.length, 9);
  });
});
