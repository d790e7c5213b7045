import assert from 'node:assert/strict';
import { startTokenHelperServer, type TokenHelperServer } from '../../src/helper/server.js';
import { fetchWithToken } from '../../src/session/consumers/authorizedFetch.js';
import { tokenSource } from '../../src/vscode/tokenSource.js';
import { RESOURCE_PATH, startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { runHelper } from '../helper/harness.js';
import { revokeAtIdp } from '../support/idpChecks.js';
import { ArgvWatch, filesUnder, findSecrets } from '../support/leaks.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir, type Window } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/**
 * Every secret that crosses the wire in a full session (authorization code, PKCE verifier, access,
 * refresh and ID tokens, the helper nonce) is a canary: after sign-in, refreshes, a 401 retry,
 * helper calls and sign-out, none may appear in a log line at any level, a message, a file the
 * lifecycle wrote, or the argv of any process that ran meanwhile.
 */
class Canaries {
  readonly values = new Set<string>();
  readonly kinds = new Map<string, number>();

  add(kind: string, value: unknown): void {
    if (typeof value !== 'string' || value.length < 8 || this.values.has(value)) return;
    this.values.add(value);
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
  }

  /** globalThis.fetch, noting the secrets in token requests and responses. */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    if (typeof init?.body === 'string' || init?.body instanceof URLSearchParams) {
      const form = new URLSearchParams(init.body.toString());
      for (const k of ['code', 'code_verifier', 'refresh_token', 'device_code', 'token'])
        this.add(`request ${k}`, form.get(k));
    }
    const res = await globalThis.fetch(input, init);
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      const body = (await res
        .clone()
        .json()
        .catch(() => undefined)) as Record<string, unknown> | undefined;
      for (const k of ['access_token', 'refresh_token', 'id_token', 'device_code']) this.add(k, body?.[k]);
    }
    return res;
  };

  /** Where each canary shows up in `text`, named by kind of place; empty when clean. */
  find(place: string, text: string): string[] {
    return findSecrets(this.values, place, text);
  }
}

describe('security: canary tokens never leak', function () {
  this.timeout(60_000);
  let idp: TestIdp;
  let w: Window | undefined;
  let helper: TokenHelperServer | undefined;

  before(async () => {
    idp = await startTestIdp({
      host: '127.0.0.2',
      accessTokenTtl: 60,
      rotateRefreshTokens: true,
      resourceServer: true,
    });
  });
  after(async () => {
    w?.service.dispose();
    await helper?.close();
    await idp.close();
  });

  it('through sign-in, refreshes, a 401 retry, the token helper and sign-out', async function () {
    if (!ArgvWatch.supported) return this.skip();
    const canaries = new Canaries();
    const log = new RecordingLogger();
    const lockDir = tempDir('agent-auth-canary-lock-');
    const runtimeDir = tempDir('agent-auth-canary-run-');
    const messages: string[] = [];
    const argv = new ArgvWatch();

    w = lifecycleWindow([idpProvider(idp, { issuer: undefined, resource: `${idp.issuer}${RESOURCE_PATH}` })], {
      secrets: new MemorySecretStore(),
      lockDir,
      log,
      fetch: canaries.fetch,
    });
    w.service.onDidChange((e) => e.message && messages.push(e.message));
    await signInThroughIdp(w.service, 'dev', idp);
    await w.service.refreshNow('dev');

    // A token revoked at the IdP: the protected resource answers 401 and fetchWithToken refreshes once.
    const current = await w.service.getAccessToken('dev');
    canaries.add('access_token', current.accessToken);
    await revokeAtIdp(idp, current.accessToken, 'access_token');
    const res = await fetchWithToken(
      (id, o) => w!.service.getAccessToken(id, o),
      globalThis.fetch,
      'dev',
      `${idp.issuer}${RESOURCE_PATH}/whoami`,
    );
    assert.equal(res.status, 200);

    helper = await startTokenHelperServer({ dir: runtimeDir, source: tokenSource(w.service), log });
    canaries.add('helper nonce', helper.env.AGENT_AUTH_NONCE);
    const env = { ...process.env, ...helper.env };
    const printed = await runHelper(['dev'], env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trim(), (await w.service.getAccessToken('dev')).accessToken);
    const credential = await runHelper(
      ['git-credential', 'dev', 'get'],
      env,
      `protocol=http\nhost=${new URL(idp.issuer).host}\n\n`,
    );
    assert.equal(credential.code, 0, credential.stderr);
    const exec = await runHelper(['exec', '--provider', 'dev', '--', 'sh', '-c', 'test -n "$DEV_TOKEN"'], env);
    assert.equal(exec.code, 0, exec.stderr);

    await w.service.signOut('dev');
    const signedOut = await runHelper(['dev'], env);
    assert.equal(signedOut.code, 1);
    messages.push(signedOut.stderr);
    const processes = await argv.stop();
    for (const v of idp.issuedSecrets) canaries.add('issued at the IdP', v);

    // The search must have something to find: every kind of secret, three generations of tokens.
    for (const kind of [
      'request code',
      'request code_verifier',
      'access_token',
      'refresh_token',
      'id_token',
      'helper nonce',
    ]) {
      assert.ok(canaries.kinds.get(kind), `no ${kind} was captured, so the search below would prove nothing`);
    }
    assert.ok(
      canaries.kinds.get('access_token')! >= 3 && canaries.kinds.get('refresh_token')! >= 3,
      JSON.stringify([...canaries.kinds]),
    );
    // …and it must be able to find one: planted on purpose in a copy of the log.
    const planted = [...canaries.values][0];
    assert.equal(canaries.find('planted', `${log.text()}\ninfo token ${planted}`).length, 1);

    const leaks = [
      ...canaries.find('the log', log.text()),
      ...canaries.find('a message', messages.join('\n')),
      ...filesUnder(lockDir).flatMap((f) => canaries.find(f.path, f.text)),
      ...filesUnder(runtimeDir).flatMap((f) => canaries.find(f.path, f.text)),
      ...canaries.find('a process argv', processes),
    ];
    assert.deepEqual(leaks, []);
    assert.ok(log.lines.length > 10, 'the lifecycle logged what it did');
    assert.ok(processes.includes('agent-auth-token'), 'the argv sampler saw the helper run');
  });
});
