import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { endianness } from 'node:os';
import { AuthError } from '../../src/protocol/errors.js';
import { startLoopbackServer } from '../../src/protocol/loopback.js';
import { loopbackPeerUid } from '../../src/protocol/loopbackPeer.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/** A raw GET so tests control the Host header the way a DNS-rebinding page would. */
function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        headers: host ? { host } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('protocol: loopback redirect server (RFC 8252)', () => {
  const log = new RecordingLogger();

  it('listens on 127.0.0.1 with an ephemeral port and a /callback path', async () => {
    const lb = await startLoopbackServer({ expectedState: 's', timeoutMs: 5_000, log });
    assert.match(lb.redirectUri, /^http:\/\/127\.0\.0\.1:\d{4,5}\/callback$/);
    lb.close();
  });

  for (const host of ['localhost', '[::1]', '127.0.0.1'] as const) {
    it(`serves a fixed redirect (host ${host}, fixed port, own path) and answers only that Host`, async () => {
      const free = await startLoopbackServer({ expectedState: 'x', timeoutMs: 5_000, log });
      const port = Number(new URL(free.redirectUri).port);
      free.close();
      await new Promise((r) => setTimeout(r, 20));
      const lb = await startLoopbackServer({
        expectedState: 's',
        timeoutMs: 5_000,
        log,
        redirect: { host, port, path: '/authorization-code/callback' },
      });
      try {
        assert.equal(lb.redirectUri, `http://${host}:${port}/authorization-code/callback`);
        const address = host === '[::1]' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
        assert.equal(
          (await get(`${address}/authorization-code/callback?state=s&code=c`, '127.0.0.2:1')).status,
          400,
          'another Host is refused',
        );
        assert.equal(
          (await get(`${address}/callback?state=s&code=c`, `${host}:${port}`)).status,
          404,
          'only the configured path',
        );
        const browser = get(`${address}/authorization-code/callback?state=s&code=c`, `${host}:${port}`);
        const cb = await lb.callback;
        assert.equal(cb.params.get('code'), 'c');
        cb.respond({ ok: true });
        assert.equal((await browser).status, 200);
      } finally {
        lb.close();
      }
    });
  }

  it('accepts exactly one callback with the right state, answers after the outcome, then closes', async () => {
    const lb = await startLoopbackServer({ expectedState: 'good', timeoutMs: 5_000, log });
    const wrongHost = await get(`${lb.redirectUri}?state=good&code=x`, 'evil.example:80');
    assert.equal(wrongHost.status, 400, 'DNS-rebinding Host header refused');
    const wrongState = await get(`${lb.redirectUri}?state=bad&code=x`);
    assert.equal(wrongState.status, 400, 'stray callback refused');
    assert.match(wrongState.body, /does not belong to the current sign-in attempt/);
    assert.equal((await get(lb.redirectUri.replace('/callback', '/other'))).status, 404);

    const browser = get(`${lb.redirectUri}?state=good&code=abc`);
    const cb = await lb.callback;
    assert.equal(cb.params.get('code'), 'abc');
    cb.respond({ ok: true });
    const page = await browser;
    assert.equal(page.status, 200);
    assert.match(page.body, /You may close this tab/);
    // The listener closes once the callback is answered: wait for that (poll with a deadline), not for a fixed time.
    const deadline = Date.now() + 10_000;
    let refused: unknown;
    while (!refused && Date.now() < deadline) {
      refused = await get(`${lb.redirectUri}?state=good&code=again`).then(
        () => undefined,
        (e: Error) => e,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(String(refused), /ECONNREFUSED/, 'closed after one callback');
    assert.match(log.text(), /refused a request for host "evil\.example:80"/);
  });

  it('refuses a callback sent by another user’s process (Linux: /proc/net/tcp), then accepts the same user’s browser', async function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return this.skip(); // only root can run a client as another user
    const lb = await startLoopbackServer({ expectedState: 'csrf', timeoutMs: 10_000, log });
    let settled = false;
    void lb.callback.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Another local user who read the authorization URL (state included) off xdg-open's command line.
    const attacker = `require('http').get(process.argv[1], (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => { console.log(r.statusCode, b); }); }).on('error', (e) => { console.log('error', e.message); });`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', attacker, `${lb.redirectUri}?state=csrf&code=attackers-code`], {
        uid: 65534,
        gid: 65534,
        cwd: '/',
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    assert.match(out, /^403 [\s\S]*came from another user on this computer/, out);
    assert.equal(settled, false, 'the attacker’s code was not taken');
    assert.match(log.text(), /refused a callback from a process of another user \(uid 65534\)/);

    const browser = get(`${lb.redirectUri}?state=csrf&code=mine`);
    const cb = await lb.callback;
    assert.equal(cb.params.get('code'), 'mine');
    cb.respond({ ok: true });
    assert.equal((await browser).status, 200);
  });

  it("accepts the Host of a remote window's port forward once told, and never a non-loopback one", async () => {
    const lb = await startLoopbackServer({ expectedState: 'fw', timeoutMs: 5_000, log });
    const forwarded = 'localhost:53123';
    assert.equal(
      (await get(`${lb.redirectUri}?state=fw&code=x`, forwarded)).status,
      400,
      'not before the forward is known',
    );
    assert.throws(
      () => lb.allowHost('evil.example:53123'),
      (e) => e instanceof AuthError && e.code === 'config',
    );
    lb.allowHost(forwarded);
    assert.equal((await get(`${lb.redirectUri}?state=fw&code=x`, 'evil.example:53123')).status, 400, 'still refused');
    const browser = get(`${lb.redirectUri}?state=fw&code=forwarded`, forwarded);
    const cb = await lb.callback;
    assert.equal(cb.params.get('code'), 'forwarded');
    cb.respond({ ok: true });
    assert.equal((await browser).status, 200);
  });

  it('finds the uid of a loopback peer in /proc/net/tcp and tcp6 rows (kernel format)', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 20 4 30 10 -1',
      '   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0000000000000000FFFF00000100007F:C000 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  4242        0 3 1',
      '   1: 00000000000000000000000001000000:C001 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  4343        0 4 1',
    ].join('\n');
    const read = (p: string) => (p.endsWith('6') ? tcp6 : tcp);
    const server = { address: '127.0.0.1', port: 0x1f90 };
    if (endianness() !== 'LE') return; // the rows above are as a little-endian kernel prints them
    assert.equal(loopbackPeerUid(server, { address: '127.0.0.1', port: 0xa1b2 }, read), 1000);
    assert.equal(
      loopbackPeerUid(
        { address: '::ffff:127.0.0.1', port: 0x1f90 },
        { address: '::ffff:127.0.0.1', port: 0xc000 },
        read,
      ),
      4242,
    );
    assert.equal(loopbackPeerUid({ address: '::1', port: 0x1f90 }, { address: '::1', port: 0xc001 }, read), 4343);
    assert.equal(loopbackPeerUid(server, { address: '127.0.0.1', port: 0xa1b3 }, read), undefined);
    assert.equal(
      loopbackPeerUid(server, { address: '127.0.0.1', port: 1 }, () => {
        throw new Error('no /proc');
      }),
      undefined,
    );
  });

  it('shows the failure in the tab when the exchange fails, escaped', async () => {
    const lb = await startLoopbackServer({ expectedState: 's', timeoutMs: 5_000, log });
    const browser = get(`${lb.redirectUri}?state=s&code=c`);
    (await lb.callback).respond({ ok: false, message: '<script>alert(1)</script>' });
    const page = await browser;
    assert.equal(page.status, 400);
    assert.ok(page.body.includes('&lt;script&gt;'));
    assert.ok(!page.body.includes('<script>'));
  });

  it('times out with a clear error and frees the port', async () => {
    const lb = await startLoopbackServer({ expectedState: 's', timeoutMs: 100, log });
    await assert.rejects(
      lb.callback,
      (e: AuthError) => e.code === 'expired' && /No answer from the browser/.test(e.message),
    );
    await assert.rejects(get(lb.redirectUri), /ECONNREFUSED/);
  });

  it('stops when the caller cancels', async () => {
    const ac = new AbortController();
    const lb = await startLoopbackServer({ expectedState: 's', timeoutMs: 5_000, signal: ac.signal, log });
    ac.abort();
    await assert.rejects(lb.callback, (e: AuthError) => e.code === 'cancelled');
  });
});
