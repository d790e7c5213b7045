import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchangeLine, jsonLine, type LineLimits, readJsonLine, replyLine } from '../../src/ipc/lineJson.js';
import { listenPrivately } from '../../src/ipc/listen.js';

/**
 * The line-JSON framing of local sockets (src/ipc/lineJson.ts, used by the window handoff): one
 * line each way, and a peer that sends too much, stalls or sends no JSON is dropped, on both sides.
 */
describe('local IPC: line-JSON framing', function () {
  if (process.platform === 'win32') return;
  const limits: LineLimits = { maxBytes: 1024, timeoutMs: 1_000 };
  let dir: string;
  let server: Server;
  let path: string;
  let onMessage: (socket: Socket, message: unknown) => void;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-auth-ipc-'));
    path = join(dir, 's.sock');
    server = createServer((socket) => readJsonLine(socket, limits, (m) => onMessage(socket, m)));
    await listenPrivately(server, path);
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the server does with a raw request: the answer line, or 'dropped' when it closes without one. */
  const rawExchange = (bytes: string) =>
    new Promise<string>((resolve) => {
      const s = connect(path, () => s.write(bytes));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(got || 'dropped'));
    });

  it('answers one JSON line with one JSON line', async () => {
    onMessage = (socket, m) => replyLine(socket, { echo: m });
    assert.deepEqual(await exchangeLine(path, jsonLine({ a: 1 }), limits), { echo: { a: 1 } });
  });

  it('drops a request that is not JSON, or longer than the cap without a newline, without handling it', async () => {
    let handled = 0;
    onMessage = (socket) => {
      handled++;
      replyLine(socket, { ok: true });
    };
    assert.equal(await rawExchange('not json\n'), 'dropped');
    const started = Date.now();
    assert.equal(await rawExchange('x'.repeat(4 * limits.maxBytes)), 'dropped');
    assert.ok(Date.now() - started < limits.timeoutMs / 2, 'dropped for its size, not for stalling');
    assert.equal(handled, 0);
  });

  it('drops a client that stalls before its newline', async () => {
    const started = Date.now();
    assert.equal(await rawExchange('{"a":'), 'dropped');
    assert.ok(Date.now() - started >= limits.timeoutMs - 50 && Date.now() - started < 5 * limits.timeoutMs);
  });

  it('the asking side gets undefined from a peer that is gone, silent, or answers no JSON', async () => {
    assert.equal(await exchangeLine(join(dir, 'none.sock'), jsonLine({}), limits), undefined);
    onMessage = () => undefined; // never answers
    assert.equal(await exchangeLine(path, jsonLine({}), limits), undefined);
    onMessage = (socket) => socket.end('nonsense\n');
    assert.equal(await exchangeLine(path, jsonLine({}), limits), undefined);
  });

  it('the socket is 0600', () => {
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});
