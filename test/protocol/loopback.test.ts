import assert from 'node:assert/strict';
import { request } from 'node:http';
import { AuthError } from '../../src/protocol/errors.js';
import { startLoopbackServer } from '../../src/protocol/loopback.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/** A raw GET so tests control the Host header the way a DNS-rebinding page would. */
function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
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
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(get(`${lb.redirectUri}?state=good&code=again`), /ECONNREFUSED/, 'closed after one callback');
    assert.match(log.text(), /refused a request for host "evil\.example:80"/);
  });

  it("accepts the Host of a remote window's port forward once told, and never a non-loopback one", async () => {
    const lb = await startLoopbackServer({ expectedState: 'fw', timeoutMs: 5_000, log });
    const forwarded = 'localhost:53123';
    assert.equal((await get(`${lb.redirectUri}?state=fw&code=x`, forwarded)).status, 400, 'not before the forward is known');
    assert.throws(() => lb.allowHost('evil.example:53123'), (e) => e instanceof AuthError && e.code === 'config');
    lb.allowHost(forwarded);
    assert.equal((await get(`${lb.redirectUri}?state=fw&code=x`, 'evil.example:53123')).status, 400, 'still refused');
    const browser = get(`${lb.redirectUri}?state=fw&code=forwarded`, forwarded);
    const cb = await lb.callback;
    assert.equal(cb.params.get('code'), 'forwarded');
    cb.respond({ ok: true });
    assert.equal((await browser).status, 200);
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
    await assert.rejects(lb.callback, (e: AuthError) => e.code === 'expired' && /No answer from the browser/.test(e.message));
    await assert.rejects(get(lb.redirectUri), /ECONNREFUSED/);
  });

  it('stops when the caller cancels', async () => {
    const ac = new AbortController();
    const lb = await startLoopbackServer({ expectedState: 's', timeoutMs: 5_000, signal: ac.signal, log });
    ac.abort();
    await assert.rejects(lb.callback, (e: AuthError) => e.code === 'cancelled');
  });
});
