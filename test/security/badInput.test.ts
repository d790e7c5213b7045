import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProviders, parseRefreshSettings } from '../../src/session/config/config.js';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import { type SessionRecord, sessionKey } from '../../src/session/store/sessionRecord.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { parseAgents } from '../../src/vscode/agentsConfig.js';
import { parseTaskDefinition } from '../../src/vscode/taskDefinition.js';
import { HOUR, rawRequest, startHelper, type Helper } from '../helper/harness.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/**
 * The bad-input matrix: every malformed setting, stored entry, helper request and lock state we
 * try, each with the clear error it must produce and proof that nothing else is lost. Broken and
 * hostile server responses have their own table in test/protocol/badResponses.test.ts.
 */
const tally = { tried: 0, passed: 0 };
function row(title: string, fn: () => Promise<void> | void) {
  it(title, async () => {
    tally.tried++;
    await fn();
    tally.passed++;
  });
}
after(() =>
  console.log(
    `\nbad-input matrix (settings, stored entries, helper requests, lock states): ${tally.passed} of ${tally.tried} inputs handled as expected`,
  ),
);

const acme = { id: 'acme', issuer: 'https://login.acme.dev', clientId: 'agent-auth' };

describe('bad input: settings', () => {
  const providers: [string, unknown, RegExp][] = [
    ['a non-array providers setting', { id: 'acme' }, /^agentAuth\.providers: must be an array of provider objects$/],
    ['an entry that is a string', ['acme'], /^agentAuth\.providers\[0\]: entry must be an object, not a string$/],
    ['a missing id', [{ issuer: acme.issuer, clientId: 'c' }], /\[0\]: id is required$/],
    ['an id with a slash', [{ ...acme, id: 'a/b' }], /\[0\] \("a\/b"\): id must be 1-64 letters/],
    ['a numeric id', [{ ...acme, id: 7 }], /\[0\]: id must be a string, not a number$/],
    ['a missing clientId', [{ id: 'acme', issuer: acme.issuer }], /\("acme"\): clientId is required$/],
    ['an empty clientId', [{ ...acme, clientId: '' }], /clientId is required$/],
    [
      'neither issuer nor resource nor endpoints',
      [{ id: 'acme', clientId: 'c' }],
      /needs exactly one of "issuer", "resource" or "endpoints" \(for a server without discovery\)$/,
    ],
    [
      'both issuer and resource',
      [{ ...acme, resource: 'https://api.acme.dev' }],
      /needs exactly one of "issuer" or "resource", not both \(to also send RFC 8707 resource indicators with an issuer, use "resources"\)$/,
    ],
    [
      'endpoints with resource',
      [
        {
          id: 'acme',
          clientId: 'c',
          resource: 'https://api.acme.dev',
          endpoints: { token: 'https://login.acme.dev/token' },
        },
      ],
      /"endpoints" can only be combined with "issuer"/,
    ],
    [
      'endpoints alone without token',
      [{ id: 'acme', clientId: 'c', endpoints: { authorization: 'https://login.acme.dev/auth' } }],
      /endpoints without "issuer" needs "token" \(no discovery fills it in\)$/,
    ],
    [
      'endpoints alone without authorization and token',
      [{ id: 'acme', clientId: 'c', endpoints: { revocation: 'https://login.acme.dev/revoke' } }],
      /endpoints without "issuer" needs "authorization" and "token"/,
    ],
    [
      'an http token endpoint on a public host',
      [{ ...acme, endpoints: { token: 'http://login.acme.dev/token' } }],
      /endpoints\.token must use https: \(http: is accepted only for loopback hosts/,
    ],
    [
      'an endpoint with a query',
      [{ ...acme, endpoints: { authorization: 'https://login.acme.dev/auth?x=1' } }],
      /endpoints\.authorization must not contain a query or fragment$/,
    ],
    [
      'a misspelt endpoint name',
      [{ ...acme, endpoints: { tokn: 'https://login.acme.dev/token' } }],
      /endpoints has unknown field tokn$/,
    ],
    [
      'endpoints as a string',
      [{ ...acme, endpoints: 'https://login.acme.dev/token' }],
      /endpoints must be an object, not a string$/,
    ],
    [
      'an unknown clientAuthentication',
      [{ ...acme, clientAuthentication: 'private_key_jwt' }],
      /clientAuthentication must be one of "none", "client_secret_basic", "client_secret_post"$/,
    ],
    [
      'a client secret in the settings',
      [{ ...acme, clientSecret: 's3cret' }],
      /has unknown field clientSecret.*Set Client Secret/,
    ],
    ['an empty audience', [{ ...acme, audience: '' }], /audience must have at least 1 characters$/],
    [
      'an audience with a newline',
      [{ ...acme, audience: 'https://api\n' }],
      /audience must not contain control characters$/,
    ],
    [
      'resources as a string',
      [{ ...acme, resources: 'https://api.acme.dev' }],
      /resources must be an array, not a string$/,
    ],
    [
      'an empty resources list',
      [{ ...acme, resources: [] }],
      /resources must name at least one resource when present$/,
    ],
    ['a relative resource', [{ ...acme, resources: ['api'] }], /resources\.0 each resource must be an absolute URI$/],
    [
      'a resource with a fragment',
      [{ ...acme, resources: ['https://api.acme.dev/#x'] }],
      /resources\.0 each resource must not contain a fragment \(RFC 8707\)$/,
    ],
    [
      'authorizationParameters overriding state',
      [{ ...acme, authorizationParameters: { state: 'x' } }],
      /authorizationParameters\.state "state" is set by Agent Auth's sign-in flow and cannot be overridden$/,
    ],
    [
      'authorizationParameters overriding redirect_uri',
      [{ ...acme, authorizationParameters: { redirect_uri: 'https://evil.example' } }],
      /authorizationParameters\.redirect_uri "redirect_uri" is set by Agent Auth's sign-in flow/,
    ],
    [
      'authorizationParameters overriding code_challenge',
      [{ ...acme, authorizationParameters: { code_challenge: 'x' } }],
      /"code_challenge" is set by Agent Auth's sign-in flow/,
    ],
    [
      'authorizationParameters overriding scope',
      [{ ...acme, authorizationParameters: { scope: 'admin' } }],
      /"scope" is set by Agent Auth's sign-in flow \(use the provider's "scopes" field\) and cannot be overridden$/,
    ],
    [
      'authorizationParameters with audience',
      [{ ...acme, authorizationParameters: { audience: 'x' } }],
      /\(use the provider's "audience" field\)/,
    ],
    [
      'an unknown authorization parameter',
      [{ ...acme, authorizationParameters: { foo: 'bar' } }],
      /authorizationParameters\.foo "foo" is not allowed; allowed are prompt, login_hint, domain_hint, acr_values, max_age, ui_locales, organization$/,
    ],
    [
      'a negative max_age',
      [{ ...acme, authorizationParameters: { max_age: -1 } }],
      /authorizationParameters\.max_age must be a whole number of seconds$/,
    ],
    [
      'a prompt that is a number',
      [{ ...acme, authorizationParameters: { prompt: 1 } }],
      /authorizationParameters\.prompt must be a string$/,
    ],
    [
      'a login_hint with a control character',
      [{ ...acme, authorizationParameters: { login_hint: 'a\u0000b' } }],
      /authorizationParameters\.login_hint must be 1-512 characters without control characters$/,
    ],
    [
      'authorizationParameters as an array',
      [{ ...acme, authorizationParameters: ['prompt'] }],
      /authorizationParameters must be an object, not an array$/,
    ],
    ['a redirect without host', [{ ...acme, redirect: { port: 8400 } }], /redirect\.host is required$/],
    [
      'a redirect to a public host',
      [{ ...acme, redirect: { host: 'example.com' } }],
      /redirect\.host must be one of "127\.0\.0\.1", "localhost", "\[::1\]"$/,
    ],
    [
      'a redirect port of 80',
      [{ ...acme, redirect: { host: 'localhost', port: 80 } }],
      /redirect\.port must be between 1024 and 65535$/,
    ],
    [
      'a redirect port that is text',
      [{ ...acme, redirect: { host: 'localhost', port: '8400' } }],
      /redirect\.port must be a number, not a string$/,
    ],
    [
      'a redirect path without slash',
      [{ ...acme, redirect: { host: 'localhost', path: 'callback' } }],
      /redirect\.path must start with "\/"/,
    ],
    [
      'a redirect path with a query',
      [{ ...acme, redirect: { host: 'localhost', path: '/cb?x=1' } }],
      /redirect\.path must start with "\/" and contain only URL path characters \(no query or fragment\)$/,
    ],
    [
      'a misspelt redirect field',
      [{ ...acme, redirect: { host: 'localhost', prot: 8400 } }],
      /redirect has unknown field prot$/,
    ],
    ['an issuer that is not a URL', [{ ...acme, issuer: 'login.acme.dev' }], /issuer must be an absolute URL$/],
    [
      'an http issuer on a public host',
      [{ ...acme, issuer: 'http://login.acme.dev' }],
      /issuer must use https: \(http: is accepted only for loopback hosts/,
    ],
    ['an ftp issuer', [{ ...acme, issuer: 'ftp://login.acme.dev' }], /issuer must use https:/],
    [
      'an issuer with a query',
      [{ ...acme, issuer: 'https://login.acme.dev/?tenant=x' }],
      /issuer must not contain a query or fragment$/,
    ],
    [
      'an issuer with credentials',
      [{ ...acme, issuer: 'https://u:p@login.acme.dev' }],
      /issuer must not contain a user name or password$/,
    ],
    [
      'an http resource on a public host',
      [{ id: 'acme', clientId: 'c', resource: 'http://api.acme.dev' }],
      /resource must use https:/,
    ],
    ['scopes as a string', [{ ...acme, scopes: 'openid' }], /scopes must be an array, not a string$/],
    [
      'a scope with a space',
      [{ ...acme, scopes: ['openid profile'] }],
      /scopes\.0 each scope must be a non-empty token/,
    ],
    [
      'an unknown flow',
      [{ ...acme, flow: 'implicit' }],
      /flow must be one of "auto", "authorizationCode", "deviceCode"$/,
    ],
    ['envVar PATH', [{ ...acme, envVar: 'PATH' }], /envVar names a variable that Agent Auth must not overwrite$/],
    [
      'envVar LD_PRELOAD',
      [{ ...acme, envVar: 'LD_PRELOAD' }],
      /envVar names a variable that Agent Auth must not overwrite$/,
    ],
    ['envVar NODE_OPTIONS', [{ ...acme, envVar: 'NODE_OPTIONS' }], /envVar names a variable/],
    ['envVar AGENT_AUTH_IPC', [{ ...acme, envVar: 'AGENT_AUTH_IPC' }], /envVar names a variable/],
    [
      'envVar agent_auth_ipc (Windows ignores case)',
      [{ ...acme, envVar: 'agent_auth_ipc' }],
      /envVar names a variable that Agent Auth must not overwrite$/,
    ],
    ['envVar with a dash', [{ ...acme, envVar: 'ACME-TOKEN' }], /envVar must be a valid environment variable name$/],
    [
      'envVar of 129 characters',
      [{ ...acme, envVar: 'A'.repeat(129) }],
      /envVar must be a valid environment variable name$/,
    ],
    ['a label that is a number', [{ ...acme, label: 5 }], /label must be a string, not a number$/],
    ['a duplicate id', [acme, { ...acme }], /\[1\] \("acme"\): id "acme" is already used by an earlier entry$/],
  ];
  for (const [what, raw, expected] of providers) {
    row(`agentAuth.providers: ${what}`, () => {
      const valid = { id: 'good', issuer: 'https://login.good.dev', clientId: 'c' };
      const list = Array.isArray(raw) ? [...raw, valid] : raw;
      const { providers: loaded, problems } = parseProviders(list);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(`${problems[0].where}: ${problems[0].message}`, expected);
      // One bad entry never blocks the others.
      if (Array.isArray(raw)) assert.ok(loaded.some((p) => p.id === 'good'));
    });
  }

  const refresh: [string, Record<string, unknown>, RegExp][] = [
    [
      'remainingFraction NaN',
      { remainingFraction: NaN },
      /^agentAuth\.refresh\.remainingFraction: must be a number, not NaN; using the default 0\.25$/,
    ],
    [
      'remainingFraction as text',
      { remainingFraction: 'quarter' },
      /remainingFraction: must be a number, not a string; using the default 0\.25$/,
    ],
    [
      'remainingFraction 0',
      { remainingFraction: 0 },
      /must be greater than 0 and at most 0\.9; using the default 0\.25$/,
    ],
    ['remainingFraction 5', { remainingFraction: 5 }, /must be greater than 0 and at most 0\.9/],
    [
      'minSecondsBeforeExpiry negative',
      { minSecondsBeforeExpiry: -1 },
      /minSecondsBeforeExpiry: must be between 0 and 3600 seconds; using the default 60$/,
    ],
    ['minSecondsBeforeExpiry Infinity', { minSecondsBeforeExpiry: Infinity }, /minSecondsBeforeExpiry: must be /],
  ];
  for (const [what, raw, expected] of refresh) {
    row(`agentAuth.refresh: ${what}`, () => {
      const { settings, problems } = parseRefreshSettings(raw);
      assert.equal(problems.length, 1);
      assert.match(`${problems[0].where}: ${problems[0].message}`, expected);
      assert.deepEqual(settings, { remainingFraction: 0.25, minSecondsBeforeExpiry: 60 });
    });
  }

  const agent = { id: 'a', provider: 'acme', command: 'my-agent' };
  const agents: [string, unknown, RegExp][] = [
    ['a non-array agents setting', { id: 'a' }, /^agentAuth\.agents: must be an array of agent objects$/],
    ['a missing command', [{ id: 'a', provider: 'acme' }], /command is required/],
    ['an unknown provider', [{ ...agent, provider: 'nope' }], /"nope"/],
    ['args as a string', [{ ...agent, args: '--stdio' }], /args must be/],
    ['an env value that is a number', [{ ...agent, env: { LEVEL: 3 } }], /env\.LEVEL must be a string/],
    [
      'an env override of AGENT_AUTH_IPC',
      [{ ...agent, env: { AGENT_AUTH_IPC: '/tmp/x' } }],
      /AGENT_AUTH_IPC is set by Agent Auth itself/,
    ],
    ['an empty document filter', [{ ...agent, documentSelector: [{}] }], /needs "language", "scheme" or "pattern"/],
  ];
  for (const [what, raw, expected] of agents) {
    row(`agentAuth.agents: ${what}`, () => {
      const { problems } = parseAgents(raw, ['acme']);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(`${problems[0].where}: ${problems[0].message}`, expected);
    });
  }

  const tasks: [string, unknown, RegExp][] = [
    ['a task without command', { type: 'agent-auth', provider: 'acme' }, /^command is required$/],
    ['a task without provider', { type: 'agent-auth', command: 'claude' }, /^provider is required$/],
    [
      'args as a string',
      { type: 'agent-auth', provider: 'acme', command: 'claude', args: '-p' },
      /^args must be an array of strings$/,
    ],
    ['a numeric cwd', { type: 'agent-auth', provider: 'acme', command: 'claude', cwd: 1 }, /^cwd must be a string$/],
  ];
  for (const [what, raw, expected] of tasks) {
    row(`tasks.json: ${what}`, () => {
      const r = parseTaskDefinition(raw);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.message, expected);
    });
  }
});

describe('bad input: stored session entries', () => {
  const good: SessionRecord = {
    v: 1,
    sessionId: 's1',
    providerId: 'acme',
    clientId: 'c',
    account: { id: 'alice', label: 'alice' },
    scopes: ['openid'],
    endpoints: { issuer: 'https://i', token_endpoint: 'https://i/token' },
    accessToken: 'CANARY-at',
    refreshToken: 'CANARY-rt',
    expiresAt: 2_000,
    obtainedAt: 1_000,
    generation: 0,
  };
  const entries: [string, string, RegExp][] = [
    ['truncated JSON', JSON.stringify(good).slice(0, 40), /^not JSON$/],
    ['an empty string', '', /^not JSON$/],
    ['null', 'null', /entry must be an object, not null/],
    ['a number', '42', /entry must be an object, not a number/],
    ['a newer format version', JSON.stringify({ ...good, v: 2 }), /^unknown format version 2$/],
    [
      'no token endpoint',
      JSON.stringify({ ...good, endpoints: { issuer: 'https://i' } }),
      /endpoints\.token_endpoint is required/,
    ],
    ['expiresAt as text', JSON.stringify({ ...good, expiresAt: 'soon' }), /expiresAt must be a number, not a string/],
    ['a negative generation', JSON.stringify({ ...good, generation: -1 }), /generation/],
    ["another provider's entry", JSON.stringify({ ...good, providerId: 'evil' }), /^it belongs to provider "evil"$/],
  ];
  for (const [what, raw, expected] of entries) {
    row(`SecretStorage entry: ${what}`, async () => {
      const secrets = new MemorySecretStore();
      const log = new RecordingLogger();
      const store = new SessionStore(secrets, log, () => 7);
      await store.write({ ...good, providerId: 'other' });
      secrets.entries.set(sessionKey('acme'), raw);
      const r = await store.read('acme');
      assert.equal(r.kind, 'corrupt');
      assert.match(r.kind === 'corrupt' ? r.reason : '', expected);
      // Nothing lost: the entry is kept verbatim under a quarantine key, the other provider untouched.
      assert.equal(secrets.entries.get('agent-auth/quarantine/acme/7'), raw);
      assert.equal((await store.read('other')).kind, 'ok');
      assert.doesNotMatch(log.text(), /CANARY/);
    });
  }
});

describe('bad input: token helper requests', () => {
  let h: Helper;
  let nonce: string;
  before(async () => {
    h = await startHelper({
      acme: { accessToken: 'helper-token-abc', expiresAt: Date.now() + HOUR, envVar: 'ACME_TOKEN' },
    });
    nonce = h.server.env.AGENT_AUTH_NONCE!;
  });
  after(() => h.server.close());

  const request = (line: string, headers: string[]) =>
    `${line}\r\nHost: agent-auth\r\n${headers.map((x) => `${x}\r\n`).join('')}\r\n`;
  const withNonce =
    (line: string, extra: string[] = []) =>
    () =>
      request(line, [`X-Agent-Auth-Nonce: ${nonce}`, ...extra]);
  const requests: [string, () => string, number, RegExp][] = [
    ['no nonce', () => request('GET /v1/token HTTP/1.1', []), 403, /wrong or missing nonce/],
    [
      'a wrong nonce',
      () => request('GET /v1/token HTTP/1.1', [`X-Agent-Auth-Nonce: ${'0'.repeat(nonce.length)}`]),
      403,
      /wrong or missing nonce/,
    ],
    [
      'a nonce of another length',
      () => request('GET /v1/token HTTP/1.1', ['X-Agent-Auth-Nonce: short']),
      403,
      /wrong or missing nonce/,
    ],
    [
      'two nonce headers',
      () => request('GET /v1/token HTTP/1.1', [`X-Agent-Auth-Nonce: ${nonce}`, 'X-Agent-Auth-Nonce: x']),
      403,
      /nonce/,
    ],
    ['POST', withNonce('POST /v1/token HTTP/1.1', ['Content-Length: 0']), 405, /only answers GET/],
    ['a body', withNonce('GET /v1/token HTTP/1.1', ['Content-Length: 3']), 413, /takes no request body/],
    ['an unknown path', withNonce('GET /v2/secrets HTTP/1.1'), 404, /unknown request \/v2\/secrets/],
    ['an unknown format', withNonce('GET /v1/token?format=xml HTTP/1.1'), 400, /unknown output format "xml"/],
    [
      'a provider id with a slash',
      withNonce('GET /v1/token?provider=..%2Fetc HTTP/1.1'),
      400,
      /a provider is named by its id \(1-64 letters/,
    ],
    [
      'an unknown ExecCredential version',
      withNonce('GET /v1/token?format=kubectl&api=v2 HTTP/1.1'),
      400,
      /unsupported ExecCredential version "v2"/,
    ],
    ['an unknown provider', withNonce('GET /v1/token?provider=nope HTTP/1.1'), 409, /not signed in to 'nope'/],
    ['oversized headers', withNonce('GET /v1/token HTTP/1.1', [`X-Pad: ${'a'.repeat(8_000)}`]), 431, /^$/],
    ['not HTTP at all', () => 'hello\r\n\r\n', 400, /^$/],
  ];
  for (const [what, text, status, body] of requests) {
    row(`helper request: ${what}`, async () => {
      const r = await rawRequest(h.server.env.AGENT_AUTH_IPC, text());
      assert.equal(r.status, status, r.body);
      assert.match(r.body.trim(), body);
      assert.doesNotMatch(r.body, /helper-token-abc/);
    });
  }
});

describe('bad input: lock folder states', () => {
  let root: string;
  let log: RecordingLogger;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'agent-auth-badlock-'));
    log = new RecordingLogger();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));
  const lockAt = (dir = join(root, 'locks')) => new FileRefreshLock(dir, { log, staleMs: 2_000, retries: 2 });
  const marker = { sessionId: 's1', generation: 4 };

  row('lock folder path is a regular file', async () => {
    await writeFile(join(root, 'locks'), 'not a folder');
    await assert.rejects(
      lockAt().withLock('acme', async () => undefined),
      /locks/,
    );
    assert.equal(await readFile(join(root, 'locks'), 'utf8'), 'not a folder');
  });
  row('lock folder is a symlink elsewhere', async () => {
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(root, 'locks'));
    await assert.rejects(
      lockAt().withLock('acme', async () => undefined),
      /not a plain folder \(symlink\?\)/,
    );
  });
  row('generation marker holds garbage', async () => {
    const lock = lockAt();
    await lock.writeMarker('acme', marker);
    await writeFile(join(root, 'locks', 'acme.generation.json'), '{"sessionId": 5');
    assert.equal(await lock.readMarker('acme'), undefined);
  });
  row('generation marker has the wrong shape', async () => {
    const lock = lockAt();
    await lock.writeMarker('acme', marker);
    await writeFile(
      join(root, 'locks', 'acme.generation.json'),
      JSON.stringify({ sessionId: 's1', generation: 'four' }),
    );
    assert.equal(await lock.readMarker('acme'), undefined);
  });
  row('a lock left behind by a killed process', async () => {
    const lock = lockAt();
    await lock.withLock('acme', async () => undefined);
    const held = join(root, 'locks', 'acme.lock');
    await mkdir(held);
    const old = new Date(Date.now() - 60_000);
    await utimes(held, old, old);
    assert.equal(await lock.withLock('acme', async () => 'ran'), 'ran');
  });
  row('a lock held by a live process', async () => {
    const lock = lockAt();
    await lock.withLock('acme', async () => undefined);
    await mkdir(join(root, 'locks', 'acme.lock'));
    await assert.rejects(
      lock.withLock('acme', async () => 'ran'),
      /Lock file is already being held|ELOCKED/,
    );
  });
  row('a redemption claim left by a killed process', async () => {
    const lock = lockAt();
    await lock.withLock('acme', async () => undefined);
    const claim = join(root, 'locks', 'acme.claim.s1.4.0');
    await writeFile(claim, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(claim, old, old);
    const release = await lock.claimRedemption('acme', marker);
    assert.ok(release, 'the next attempt may redeem');
    await release();
  });
  row('a redemption claim held by a live process', async () => {
    const lock = lockAt();
    const mine = await lock.claimRedemption('acme', marker);
    assert.ok(mine);
    assert.equal(await lockAt().claimRedemption('acme', marker), undefined);
    await mine();
  });
});
