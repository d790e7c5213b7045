import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { fingerprint } from '../../src/protocol/log.js';

const SERVER = resolve(__dirname, '../fixtures/agent-server/server.js');

interface Run {
  child: ChildProcess;
  connection: MessageConnection;
  recordFile: string;
  records(): Record<string, unknown>[];
  waitFor(pred: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function startServer(envToken: string): Run {
  const recordFile = join(mkdtempSync(join(tmpdir(), 'agent-server-')), 'record.jsonl');
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      AGENT_SERVER_RECORD: recordFile,
      AGENT_SERVER_TOKEN_ENV: 'ACME_TOKEN',
      ACME_TOKEN: envToken,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const records = () => {
    try {
      return readFileSync(recordFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  const waitFor = async (pred: (r: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const hit = records().find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no matching record in ${JSON.stringify(records())}`);
  };
  return { child, connection, recordFile, records, waitFor };
}

describe('reference agent language server (test/fixtures/agent-server)', () => {
  let run: Run | undefined;
  afterEach(() => {
    run?.connection.dispose();
    run?.child.kill();
    run = undefined;
  });

  it('takes its token from env and initializationOptions, follows didChangeToken and asks with getToken', async () => {
    const envToken = 'env-token-' + Math.random();
    const initToken = 'init-token-' + Math.random();
    const pushed = 'pushed-token-' + Math.random();
    const forced = 'forced-token-' + Math.random();
    run = startServer(envToken);
    const asked: unknown[] = [];
    run.connection.onRequest('agentAuth/getToken', (params: { forceRefresh?: boolean }) => {
      asked.push(params);
      return { accessToken: params.forceRefresh ? forced : initToken, expiresAt: 123 };
    });
    run.connection.listen();

    const init = await run.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { agentAuth: { providerId: 'acme', accessToken: initToken, expiresAt: 42 } },
    });
    assert.deepEqual((init as { capabilities: unknown }).capabilities, { textDocumentSync: 1 });
    await run.connection.sendNotification('initialized', {});
    await run.waitFor((r) => r.event === 'getToken');

    await run.connection.sendNotification('agentAuth/didChangeToken', {
      providerId: 'acme',
      accessToken: pushed,
      expiresAt: 99,
      reason: 'refreshed',
    });
    await run.connection.sendNotification('agentAuth/didChangeToken', {
      providerId: 'acme',
      accessToken: null,
      reason: 'signedOut',
    });
    await run.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///x.agent', languageId: 'plaintext', version: 1, text: 'agent-auth:force-refresh' },
    });
    await run.waitFor((r) => r.event === 'getToken' && r.forceRefresh === true);
    await run.connection.sendRequest('shutdown');
    const exited = new Promise((r) => run!.child.once('exit', r));
    await run.connection.sendNotification('exit');
    assert.equal(await exited, 0);

    assert.deepEqual(asked, [{ forceRefresh: false }, { forceRefresh: true }]);
    const seen = run.records().map(({ at: _at, pid: _pid, ...r }) => r);
    assert.deepEqual(seen, [
      { event: 'start', envToken: fingerprint(envToken), helper: { ipc: false, nonce: false, cli: false } },
      { event: 'initialize', providerId: 'acme', token: fingerprint(initToken), expiresAt: 42 },
      { event: 'getToken', forceRefresh: false, token: fingerprint(initToken), expiresAt: 123 },
      { event: 'didChangeToken', providerId: 'acme', reason: 'refreshed', token: fingerprint(pushed), expiresAt: 99 },
      { event: 'didChangeToken', providerId: 'acme', reason: 'signedOut', token: null, expiresAt: null },
      { event: 'getToken', forceRefresh: true, token: fingerprint(forced), expiresAt: 123 },
      { event: 'shutdown' },
    ]);
  });

  it('records a getToken error (code, message) when the client cannot give a token', async () => {
    run = startServer('t');
    run.connection.onRequest(
      'agentAuth/getToken',
      () => new ResponseError(-32001, 'Not signed in to Acme.', { code: 'not_signed_in' }),
    );
    run.connection.listen();
    await run.connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await run.connection.sendNotification('initialized', {});
    const r = await run.waitFor((x) => x.event === 'getToken');
    assert.deepEqual(r.error, { code: -32001, message: 'Not signed in to Acme.', data: { code: 'not_signed_in' } });
  });

  it('exits when its client goes away', async () => {
    run = startServer('t');
    run.connection.listen();
    const exited = new Promise((r) => run!.child.once('exit', r));
    run.child.stdin!.end();
    assert.equal(await exited, 0);
  });
});
