import assert from 'node:assert/strict';
import { boundedFetch } from '../../src/protocol/http.js';
import type { Endpoints } from '../../src/protocol/endpoints.js';
import {
  analyzeMetadata,
  analyzeServer,
  DEVICE_GRANT,
  providerEntry,
  registrationFor,
} from '../../src/session/config/addProvider.js';
import { parseProviders } from '../../src/session/config/config.js';
import { startGlewlwyd, type Glewlwyd } from '../fixtures/glewlwyd.js';
import { RESOURCE_PATH, startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/** The Add Provider command's analysis against both real IdPs, and its verdicts on what metadata can say. */
describe('session: Add Provider analysis', function () {
  this.timeout(30_000);
  const log = new RecordingLogger();
  const deps = { fetch: boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 }), log };

  describe('against oidc-provider', () => {
    let idp: TestIdp;
    before(async () => {
      idp = await startTestIdp({ resourceServer: true });
    });
    after(() => idp.close());

    it('an issuer URL: everything Agent Auth needs, ready, flow auto', async () => {
      const a = await analyzeServer(idp.issuer, deps);
      assert.deepEqual(a.target, { issuer: idp.issuer });
      assert.equal(a.issuer, idp.issuer);
      assert.deepEqual(
        [a.authorizationCode, a.pkceS256, a.refreshTokens, a.deviceFlow, a.revocation],
        [true, 'yes', 'yes', true, true],
      );
      assert.deepEqual(a.problems, []);
      assert.equal(a.verdict, 'ready');
      assert.equal(a.flow, 'auto');
    });

    it('a resource URL: found through RFC 9728, and the entry names the resource', async () => {
      const resource = `${idp.issuer}${RESOURCE_PATH}`;
      const a = await analyzeServer(resource, deps);
      assert.deepEqual(a.target, { resource });
      assert.equal(a.issuer, idp.issuer);
      const entry = providerEntry(a, 'agent-auth-test', []);
      assert.equal(entry.resource, resource);
      assert.equal(entry.issuer, undefined);
    });

    it('the entry passes the settings parser, with an id not yet taken', async () => {
      const a = await analyzeServer(idp.issuer, deps);
      const existing = [{ id: '127.0.0.2', issuer: idp.issuer, clientId: 'x' }];
      const entry = providerEntry(a, '  agent-auth-test ', existing);
      assert.equal(entry.id, '127.0.0.2-2');
      assert.equal(entry.clientId, 'agent-auth-test');
      const { providers, problems } = parseProviders([...existing, entry]);
      assert.deepEqual(problems, []);
      assert.equal(providers[1].issuer, idp.issuer);
      assert.equal(providers[1].flow, 'auto');
    });

    it('an invalid client id is a clear error, and nothing is produced', async () => {
      const a = await analyzeServer(idp.issuer, deps);
      assert.throws(() => providerEntry(a, '', []), /The new entry would be invalid: .*clientId/);
    });

    it('registration steps name the client type, the loopback redirect and the grants', async () => {
      const a = await analyzeServer(idp.issuer, deps);
      assert.deepEqual(registrationFor(a, providerEntry(a, 'agent-auth-test', [])), {
        clientType: 'public',
        redirectUri: 'http://127.0.0.1/callback',
        grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        scopes: ['openid', 'offline_access'],
        clientId: 'agent-auth-test',
      });
    });

    it('a URL with no metadata at all says so, naming both kinds of metadata', async () => {
      const err = await analyzeServer(`${idp.issuer}/nothing-here`, deps).then(
        () => assert.fail(),
        (e) => e,
      );
      assert.equal(err.code, 'unsupported');
      assert.match(err.message, /neither an authorization server .* nor a resource with RFC 9728 metadata/);
    });
  });

  describe('against Glewlwyd', () => {
    let g: Glewlwyd;
    before(async () => {
      g = await startGlewlwyd();
    });
    after(() => g?.close());

    it('PKCE, device flow and revocation are found; the unlisted refresh_token grant is an overridable blocker', async () => {
      const a = await analyzeServer(g.issuer, deps);
      assert.equal(a.issuer, g.issuer);
      assert.deepEqual([a.authorizationCode, a.pkceS256, a.deviceFlow, a.revocation], [true, 'yes', true, true]);
      // Glewlwyd 2.7 leaves refresh_token out of grant_types_supported, although it issues refresh tokens.
      assert.equal(a.refreshTokens, 'notAdvertised');
      assert.deepEqual(
        a.problems.map((p) => [p.code, p.severity, p.overridable]),
        [['noRefreshTokens', 'blocker', true]],
      );
      assert.match(a.problems[0].message, /does not advertise the refresh_token grant/);
      assert.equal(a.verdict, 'unusable');
      assert.equal(a.flow, 'auto');
      assert.deepEqual(parseProviders([providerEntry(a, g.clientId, [])]).problems, []);
    });
  });

  describe('verdicts from metadata', () => {
    const e = (patch: Partial<Endpoints> = {}): Endpoints => ({
      issuer: 'https://idp.example',
      authorization_endpoint: 'https://idp.example/authorize',
      token_endpoint: 'https://idp.example/token',
      device_authorization_endpoint: 'https://idp.example/device',
      revocation_endpoint: 'https://idp.example/revoke',
      code_challenge_methods_supported: ['S256'],
      ...patch,
    });
    const all = { grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT] };
    const target = { issuer: 'https://idp.example' };

    it('no device flow is a limitation only: the server works, with the browser flow', () => {
      const a = analyzeMetadata(target, e({ device_authorization_endpoint: undefined }), all);
      assert.equal(a.verdict, 'limited');
      assert.equal(a.flow, 'authorizationCode');
      assert.deepEqual(
        a.problems.map((p) => [p.code, p.severity]),
        [['noDeviceFlow', 'limitation']],
      );
      assert.match(a.problems[0].message, /no device authorization grant/);
    });

    it('no PKCE S256 and no device flow: cannot work, and not overridable', () => {
      const a = analyzeMetadata(
        target,
        e({ device_authorization_endpoint: undefined, code_challenge_methods_supported: ['plain'] }),
        all,
      );
      assert.equal(a.verdict, 'unusable');
      const blocker = a.problems.find((p) => p.severity === 'blocker')!;
      assert.equal(blocker.code, 'noPkceS256');
      assert.match(blocker.message, /does not support PKCE with S256 \(it lists plain\)/);
      assert.equal(blocker.overridable, undefined);
    });

    it('no PKCE S256 but a device flow: works with the device code only', () => {
      const a = analyzeMetadata(target, e({ code_challenge_methods_supported: ['plain'] }), all);
      assert.equal(a.verdict, 'limited');
      assert.equal(a.flow, 'deviceCode');
      const r = registrationFor(a, { clientId: 'c', scopes: ['openid'] });
      assert.equal(r.redirectUri, undefined);
      assert.deepEqual(r.grantTypes, ['refresh_token', DEVICE_GRANT]);
    });

    it('grants listed without refresh_token: cannot keep tokens fresh (overridable blocker)', () => {
      const a = analyzeMetadata(target, e(), { grantTypes: ['authorization_code'] });
      assert.equal(a.verdict, 'unusable');
      assert.equal(a.refreshTokens, 'notAdvertised');
      assert.equal(a.problems.find((p) => p.severity === 'blocker')!.overridable, true);
    });

    it('no PKCE methods listed and no revocation: limitations, each explained', () => {
      const a = analyzeMetadata(
        target,
        e({ code_challenge_methods_supported: undefined, revocation_endpoint: undefined }),
        all,
      );
      assert.equal(a.verdict, 'limited');
      assert.equal(a.pkceS256, 'notAdvertised');
      assert.deepEqual(
        a.problems.map((p) => p.code),
        ['pkceNotAdvertised', 'noRevocation'],
      );
      assert.match(a.problems[1].message, /stay valid at the server until they expire/);
    });
  });
});
