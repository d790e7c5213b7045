import assert from 'node:assert/strict';
import { deviceCodeFlow, type UserCodePrompt } from '../../src/protocol/deviceCode.js';
import { boundedFetch } from '../../src/protocol/http.js';
import { RecordingLogger } from '../support/recordingLogger.js';
import { ScriptedServer } from '../support/scriptedServer.js';

/** Polling discipline (RFC 8628 §3.5) with a server that scripts each poll's answer. */
describe('protocol: device flow polling', () => {
  const server = new ScriptedServer();
  const log = new RecordingLogger();
  before(() => server.start());
  after(() => server.stop());

  async function run(answers: object[], device: object = {}, prompts: UserCodePrompt[] = []) {
    const slept: number[] = [];
    let poll = 0;
    server.handler = (req, res) => {
      const json = (status: number, body: object) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/device') {
        return json(200, {
          device_code: 'dc',
          user_code: 'ABCD-EFGH',
          verification_uri: `${server.origin}/activate`,
          expires_in: 600,
          ...device,
        });
      }
      const a = answers[poll++];
      return json('error' in a ? 400 : 200, a);
    };
    const result = await deviceCodeFlow({
      endpoints: {
        issuer: server.origin,
        token_endpoint: `${server.origin}/token`,
        device_authorization_endpoint: `${server.origin}/device`,
      },
      clientId: 'c',
      scopes: ['openid'],
      fetch: boundedFetch({ fetch: globalThis.fetch, log }),
      log,
      now: Date.now,
      onUserCode: (p) => void prompts.push(p),
      sleep: async (ms) => void slept.push(ms),
    }).catch((e) => e);
    return { result, slept };
  }

  const ok = { access_token: 'at', token_type: 'Bearer', expires_in: 60 };

  it('polls at the server interval and adds 5 s for good on each slow_down', async () => {
    const { result, slept } = await run(
      [
        { error: 'authorization_pending' },
        { error: 'slow_down' },
        { error: 'authorization_pending' },
        { error: 'slow_down' },
        ok,
      ],
      { interval: 2 },
    );
    assert.equal(result.accessToken, 'at');
    assert.deepEqual(slept, [2000, 2000, 7000, 7000, 12000]);
  });

  it('defaults to 5 s when the server gives no interval', async () => {
    const { slept } = await run([ok]);
    assert.deepEqual(slept, [5000]);
  });

  it('a verification page on the issuer’s host may be opened, with the code filled in', async () => {
    const prompts: UserCodePrompt[] = [];
    await run([ok], { verification_uri_complete: `${server.origin}/activate?user_code=ABCD-EFGH` }, prompts);
    assert.deepEqual(
      prompts.map((p) => [p.verificationUri, p.verificationUriComplete, p.openable]),
      [[`${server.origin}/activate`, `${server.origin}/activate?user_code=ABCD-EFGH`, true]],
    );
  });

  it('a verification page on a host the metadata does not name (as Entra’s and Google’s are) is shown, never opened', async () => {
    const prompts: UserCodePrompt[] = [];
    const { result } = await run(
      [ok],
      {
        verification_uri: 'https://microsoft.com/devicelogin',
        verification_uri_complete: 'https://microsoft.com/devicelogin?otc=ABCD-EFGH',
      },
      prompts,
    );
    assert.equal(result.accessToken, 'at', 'the sign-in still works');
    assert.deepEqual(
      prompts.map((p) => [p.verificationUri, p.verificationUriComplete, p.openable]),
      [['https://microsoft.com/devicelogin', undefined, false]],
    );
  });

  it('a verification page over plain http to another host is refused', async () => {
    const prompts: UserCodePrompt[] = [];
    const { result } = await run([ok], { verification_uri: 'http://evil.example/device' }, prompts);
    assert.equal(result.code, 'invalid_response');
    assert.match(result.message, /https:/);
    assert.deepEqual(prompts, []);
  });

  it('expired_token ends the flow with a clear message', async () => {
    const { result } = await run([{ error: 'authorization_pending' }, { error: 'expired_token' }]);
    assert.equal(result.code, 'expired');
  });

  it('keeps polling through a transient server error', async () => {
    const { result, slept } = await run([{ error: 'temporarily_unavailable' }, ok], { interval: 1 });
    assert.equal(result.accessToken, 'at');
    assert.equal(slept.length, 2);
  });

  it('a server without a device endpoint is told apart', async () => {
    const err = await deviceCodeFlow({
      endpoints: { issuer: server.origin, token_endpoint: `${server.origin}/token` },
      clientId: 'c',
      scopes: [],
      fetch: globalThis.fetch,
      log,
      now: Date.now,
      onUserCode: () => undefined,
    }).catch((e) => e);
    assert.equal(err.code, 'unsupported');
    assert.match(err.message, /does not offer the device authorization grant/);
  });
});
