import assert from 'node:assert/strict';
import { deviceCodeFlow } from '../../src/protocol/deviceCode.js';
import { discover } from '../../src/protocol/discovery.js';
import type { Endpoints } from '../../src/protocol/endpoints.js';
import { AuthError } from '../../src/protocol/errors.js';
import { boundedFetch } from '../../src/protocol/http.js';
import { refreshTokens } from '../../src/protocol/tokens.js';
import { startTokenHelperServer } from '../../src/helper/server.js';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { signIn } from '../../src/session/signIn/signIn.js';
import { ALL_HOSTILE, HOSTILE_TEXT, type HostileProfile } from '../fixtures/idpHostile.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { runHelper } from '../helper/harness.js';
import { RecordingLogger } from '../support/recordingLogger.js';
import { assertInert } from '../support/inert.js';

/**
 * The hostile-IdP profile of the real test IdP: every string it sends carries a command link,
 * terminal escapes and 10 KB of text. Whatever of it reaches a message, a label or the helper's
 * stderr must be plain, short and inert.
 */
describe('protocol: a hostile identity provider', function () {
  this.timeout(30_000);
  const log = new RecordingLogger();
  const fetch = boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 });
  const idps: TestIdp[] = [];
  after(() => Promise.all(idps.map((i) => i.close())));

  async function hostile(profile: HostileProfile): Promise<{ idp: TestIdp; endpoints: Endpoints }> {
    const idp = await startTestIdp({ hostile: profile });
    idps.push(idp);
    return { idp, endpoints: await discover({ issuer: idp.issuer }, { fetch, log }) };
  }

  const device = (idp: TestIdp, endpoints: Endpoints, shown: unknown[]) =>
    deviceCodeFlow({
      endpoints,
      clientId: idp.clientId,
      scopes: ['openid'],
      fetch,
      log,
      now: Date.now,
      onUserCode: (p) => void shown.push(p),
      sleep: async () => undefined,
    }).then(
      () => assert.fail('the flow should have been refused'),
      (e: unknown) => e as AuthError,
    );

  it('the fixture really is hostile: its error answers carry the link, the escapes and 10 KB', async () => {
    const { endpoints } = await hostile({ errors: true });
    const res = await globalThis.fetch(endpoints.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'agent-auth-test' }),
    });
    const body = (await res.json()) as { error: string; error_description: string };
    assert.equal(body.error_description, HOSTILE_TEXT);
    assert.ok(body.error_description.length > 10 * 1024);
  });

  it('error_description reaches the AuthError message only as inert, capped text', async () => {
    const { idp, endpoints } = await hostile({ errors: true });
    const err = await refreshTokens(
      { endpoints, clientId: idp.clientId, fetch },
      'not-a-refresh-token',
      Date.now,
    ).catch((e: unknown) => e as AuthError);
    assert.ok(err instanceof AuthError);
    assert.equal(err.details.oauthError, 'invalid_grant', 'the raw code is kept for decisions');
    assertInert(err.message.replace(/^The token endpoint answered "invalid_grant": /, '').replace(/\.$/, ''));
    assert.match(err.message, /\[Fix it now\] \(command: workbench\.action\.terminal\.new\) click/);
    assert.ok(err.message.length < 400, `${err.message.length} characters`);
  });

  it('a user code outside RFC 8628’s characters is refused with a clear error and never shown', async () => {
    const { idp, endpoints } = await hostile({ userCode: true });
    const shown: unknown[] = [];
    const err = await device(idp, endpoints, shown);
    assert.equal(err.code, 'invalid_response');
    assert.match(err.message, /user code that is not letters, digits/);
    assert.deepEqual(shown, []);
  });

  it('a verification URI with markdown or command syntax is refused and never shown', async () => {
    const { idp, endpoints } = await hostile({ verificationUri: true });
    const shown: unknown[] = [];
    const err = await device(idp, endpoints, shown);
    assert.equal(err.code, 'invalid_response');
    assert.match(
      err.message,
      /verification_uri that Agent Auth will not open \(it contains markdown or command syntax\)/,
    );
    assertInert(err.message);
    assert.deepEqual(shown, []);
  });

  it('account names from the ID token become an inert label of at most 80 characters', async () => {
    const { idp } = await hostile({ account: true });
    const provider: ProviderConfig = {
      id: 'evil',
      label: 'Evil',
      issuer: idp.issuer,
      clientId: idp.clientId,
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      flow: 'authorizationCode',
      envVar: 'EVIL_TOKEN',
    };
    const session = await signIn(
      provider,
      {
        preferredFlow: 'authorizationCode',
        openBrowser: async (url) => {
          void idp.completeAuthorization(url, { deliver: true }).catch(() => undefined);
          return true;
        },
        onUserCode: () => undefined,
        signal: AbortSignal.timeout(15_000),
      },
      { fetch, log, now: Date.now },
    );
    assertInert(session.account.label);
    assert.ok([...session.account.label].length <= 80);
    assert.match(session.account.label, /^\[Fix it now\] \(command: workbench/);
  });

  it('the helper’s stderr gets the server’s text inert (a terminal would run the escapes)', async () => {
    const { idp, endpoints } = await hostile(ALL_HOSTILE);
    const server = await startTokenHelperServer({
      source: {
        getAccessToken: () =>
          refreshTokens({ endpoints, clientId: idp.clientId, fetch }, 'not-a-refresh-token', Date.now) as never,
        getIdToken: () => Promise.reject(new Error('not asked')),
      },
    });
    try {
      const run = await runHelper([], { ...process.env, ...server.env });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^Agent Auth: The token endpoint answered "invalid_grant": \[Fix it now\] \(command: /);
      assertInert(
        run.stderr
          .trimEnd()
          .replace(/^Agent Auth: The token endpoint answered "invalid_grant": /, '')
          .replace(/\.$/, ''),
      );
    } finally {
      await server.close();
    }
  });
});
