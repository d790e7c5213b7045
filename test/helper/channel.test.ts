import assert from 'node:assert/strict';
import { nonceMatches } from '../../src/ipc/nonce.js';
import { HOUR, rawRequest as raw, startHelper, type Helper } from './harness.js';

const TOKEN = 'channel-token-XYZ';

const get = (nonceHeaders: string[], path = '/v1/token?format=raw&provider=acme', method = 'GET') =>
  `${method} ${path} HTTP/1.1\r\nHost: agent-auth\r\n${nonceHeaders.map((n) => `X-Agent-Auth-Nonce: ${n}\r\n`).join('')}\r\n`;

describe('token helper channel', () => {
  let h: Helper;
  let sock: string;
  let nonce: string;
  before(async () => {
    h = await startHelper({ acme: { accessToken: TOKEN, expiresAt: Date.now() + HOUR, gitHosts: ['git.acme.test'] } });
    sock = h.server.env.AGENT_AUTH_IPC!;
    nonce = h.server.env.AGENT_AUTH_NONCE!;
  });
  after(() => h.server.close());

  it('answers a request carrying the nonce', async () => {
    const r = await raw(sock, get([nonce]));
    assert.deepEqual([r.status, r.body], [200, `${TOKEN}\n`]);
  });

  it('refuses a missing, wrong, shorter, longer or doubled nonce without asking for a token, and logs no nonce', async () => {
    const calls = h.source.calls.length;
    const wrongSameLength = (nonce[0] === 'A' ? 'B' : 'A') + nonce.slice(1);
    const offered = [[], [wrongSameLength], [nonce.slice(0, -1)], [nonce + 'A'], [''], [nonce, nonce]];
    for (const headers of offered) {
      const r = await raw(sock, get(headers));
      assert.equal(r.status, 403, headers.join(','));
      assert.match(r.body, /wrong or missing nonce/);
      assert.ok(!r.body.includes(TOKEN));
    }
    assert.equal(h.source.calls.length, calls, 'the token source was not consulted');
    const warnings = h.log.lines.filter((l) => l.startsWith('warn '));
    assert.equal(warnings.length, offered.length);
    for (const line of h.log.lines) {
      assert.ok(!line.includes(nonce) && !line.includes(nonce.slice(1)), `a log line holds a nonce: ${line}`);
    }
  });

  it('checks the nonce before anything else, then method, body and path', async () => {
    assert.equal((await raw(sock, get(['x'], '/nope', 'POST'))).status, 403);
    assert.equal((await raw(sock, get([nonce], '/v1/token', 'POST'))).status, 405);
    assert.equal((await raw(sock, get([nonce], '/nope'))).status, 404);
    assert.equal((await raw(sock, get([nonce], '/v1/token?format=yaml'))).status, 400);
    assert.equal((await raw(sock, get([nonce], '/v1/token?provider=a%0Ab'))).status, 400);
    const withBody = get([nonce]).replace('\r\n\r\n', '\r\nContent-Length: 5\r\n\r\nhello');
    const r = await raw(sock, withBody);
    assert.equal(r.status, 413);
    assert.ok(!r.body.includes(TOKEN));
  });

  it('git format: the window itself checks protocol and host, whatever client asks', async () => {
    const git = (query: string) => raw(sock, get([nonce], `/v1/token?format=git&provider=acme${query}`));
    const ok = await git('&protocol=https&host=git.acme.test');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^username=oauth2\npassword=channel-token-XYZ\n/);
    for (const q of [
      '',
      '&protocol=https',
      '&host=git.acme.test',
      '&protocol=https&host=evil.test',
      '&protocol=http&host=git.acme.test',
      '&protocol=file&host=git.acme.test',
      '&protocol=https&host=git.acme.test%2Fpath',
      '&protocol=https&host=evil.test%23%40git.acme.test',
    ]) {
      const r = await git(q);
      assert.ok(r.status === 400 || r.status === 403, `${q}: ${r.status}`);
      assert.ok(!r.body.includes(TOKEN), q);
    }
  });

  it('drops a request larger than 4 KB', async () => {
    const big = get([nonce]).replace('\r\n\r\n', `\r\nX-Pad: ${'p'.repeat(4096)}\r\n\r\n`);
    const r = await raw(sock, big);
    assert.equal(r.status, 431);
    assert.ok(!r.body.includes(TOKEN));
  });

  it('never hands out an expired token or one that would break the output', async () => {
    h.source.tokens.old = { accessToken: 'old-token', expiresAt: Date.now() - 1000 };
    h.source.tokens.evil = { accessToken: 'a\npassword=injected', expiresAt: Date.now() + HOUR };
    const old = await raw(sock, get([nonce], '/v1/token?provider=old'));
    assert.equal(old.status, 503);
    assert.ok(!old.body.includes('old-token'));
    const evil = await raw(sock, get([nonce], '/v1/token?provider=evil&format=git&protocol=https&host=git.acme.test'));
    assert.equal(evil.status, 502);
    assert.ok(!evil.body.includes('injected'));
    delete h.source.tokens.old;
    delete h.source.tokens.evil;
  });

  it('closes a connection that sends no full request within 5 s, but waits for a slow token source', async function () {
    this.timeout(15_000);
    h.source.delayMs = 6000;
    try {
      const [idle, partial, slow] = await Promise.all([
        raw(sock, ''),
        raw(sock, 'GET /v1/token HTTP/1.1\r\n'),
        raw(sock, get([nonce])),
      ]);
      for (const r of [idle, partial]) {
        assert.ok(r.closedAfterMs >= 4900 && r.closedAfterMs < 6500, `closed after ${r.closedAfterMs} ms`);
        assert.equal(r.status, 0);
      }
      assert.deepEqual([slow.status, slow.body], [200, `${TOKEN}\n`]);
      assert.ok(slow.closedAfterMs >= 6000);
    } finally {
      h.source.delayMs = 0;
    }
  });

  it('compares nonces of any length without throwing', () => {
    assert.equal(nonceMatches('abc', 'abc'), true);
    assert.equal(nonceMatches('abc', 'abd'), false);
    assert.equal(nonceMatches('abc', 'ab'), false);
    assert.equal(nonceMatches('abc', 'abcd'), false);
    assert.equal(nonceMatches('abc', undefined), false);
  });
});
