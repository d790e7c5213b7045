import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AgentConfig } from '../../src/vscode/agentsConfig.js';
import { AgentClients } from '../../src/vscode/languageServers.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { eventually, hostGlue, readJsonLines, repoFile, sha } from './hostGlue.js';

describe('agent language servers (real LanguageClient, reference agent server)', function () {
  this.timeout(40_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  let clients: AgentClients;
  let dir: string;
  let record: string;
  let agent: AgentConfig;
  const seen = () => readJsonLines(record);
  const find = (what: string, pred: (r: Record<string, unknown>) => boolean) =>
    eventually(what, () => seen().find(pred), 15_000);
  const current = async () => sha((await w.service.getAccessToken('hostagent')).accessToken);

  before(async function () {
    // Restricted Mode runs neither (see untrusted.test.ts).
    if (!vscode.workspace.isTrusted) return this.skip();
    w = await idpWorld({ providerId: 'hostagent', envVar: 'HOSTAGENT_TOKEN' });
    g = hostGlue(w.service);
    clients = new AgentClients(g);
    dir = mkdtempSync(join(tmpdir(), 'agent-auth-lsp-'));
    record = join(dir, 'record.jsonl');
    agent = {
      id: 'reference',
      provider: 'hostagent',
      command: process.execPath,
      args: [repoFile('test/fixtures/agent-server/server.js')],
      documentSelector: [{ pattern: '**/*.agentcheck' }],
      // ELECTRON_RUN_AS_NODE: in desktop VS Code, process.execPath is Electron.
      env: { AGENT_SERVER_RECORD: record, AGENT_SERVER_TOKEN_ENV: 'HOSTAGENT_TOKEN', ELECTRON_RUN_AS_NODE: '1' },
    };
  });
  after(async () => {
    await clients?.dispose();
    g?.dispose();
    await w?.close();
  });

  it('waits for sign-in, then starts the server with the token in env and initializationOptions', async () => {
    clients.update([agent]);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(seen(), [], 'not started while signed out');
    await w.signIn();
    const start = await find('start', (r) => r.event === 'start');
    const init = await find('initialize', (r) => r.event === 'initialize');
    const token = await current();
    assert.equal(start.envToken, token);
    assert.deepEqual(start.helper, { ipc: true, nonce: true, cli: true });
    assert.equal(init.token, token);
    assert.equal(init.providerId, 'hostagent');
    const asked = await find('getToken', (r) => r.event === 'getToken');
    assert.equal(asked.token, token, 'agentAuth/getToken answers with the current token');
  });

  it('pushes every refresh with agentAuth/didChangeToken', async () => {
    await new Promise((r) => setTimeout(r, 2_100)); // past the service's "fresh enough" window
    await w.service.refreshNow('hostagent');
    const token = await current();
    const change = await find('didChangeToken', (r) => r.event === 'didChangeToken' && r.reason === 'refreshed');
    assert.equal(change.token, token);
    assert.equal(change.providerId, 'hostagent');
  });

  it('refreshes on the server’s request (forceRefresh, as after a 401)', async () => {
    const before = await current();
    await new Promise((r) => setTimeout(r, 2_100));
    const file = join(dir, 'check.agentcheck');
    writeFileSync(file, 'agent-auth:force-refresh');
    await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const forced = await find('forced getToken', (r) => r.event === 'getToken' && r.forceRefresh === true);
    assert.equal(forced.error, undefined);
    assert.notEqual(forced.token, before, 'a new token');
    assert.equal(forced.token, await current());
  });

  it('restarts a server whose entry changed, with a fresh token', async () => {
    const firstPid = (await find('start', (r) => r.event === 'start')).pid;
    clients.update([{ ...agent, args: [...agent.args, '--changed'] }]);
    await find('shutdown of the old server', (r) => r.event === 'shutdown' && r.pid === firstPid);
    const restarted = await find('second start', (r) => r.event === 'start' && r.pid !== firstPid);
    assert.equal(restarted.envToken, await current());
  });

  it('tells the server about sign-out with a null token', async () => {
    await w.service.signOut('hostagent');
    const change = await find('signedOut', (r) => r.event === 'didChangeToken' && r.reason === 'signedOut');
    assert.equal(change.token, null);
  });
});
