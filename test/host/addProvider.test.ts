import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { boundedFetch } from '../../src/protocol/http.js';
import { parseProviders } from '../../src/session/config/config.js';
import { addProvider, type AddProviderPrompts } from '../../src/vscode/addProvider.js';

/** Answers the command's dialogs in order, as a person would, and keeps what they showed. */
class ScriptedPrompts implements AddProviderPrompts {
  readonly inputs: vscode.InputBoxOptions[] = [];
  readonly modals: { kind: string; message: string; detail: string; actions: string[] }[] = [];
  constructor(
    private readonly typed: string[],
    private readonly pressed: (string | undefined)[],
  ) {}

  async inputBox(o: vscode.InputBoxOptions) {
    this.inputs.push(o);
    return this.typed.shift();
  }

  async modal(kind: 'info' | 'warning' | 'error', message: string, detail: string, ...actions: string[]) {
    this.modals.push({ kind, message, detail, actions });
    const press = this.pressed.shift();
    if (press !== undefined)
      assert.ok(actions.includes(press), `"${press}" is not offered by "${message}" (${actions.join(', ')})`);
    return press;
  }
}

/**
 * "Agent Auth: Add Provider…" in the real extension host, against the e2e run's real IdP
 * (oidc-provider, AGENT_AUTH_E2E_ISSUER): real discovery, the real user settings.
 */
describe('Add Provider command (real settings, real IdP)', function () {
  this.timeout(30_000);
  const issuer = process.env.AGENT_AUTH_E2E_ISSUER;
  const config = () => vscode.workspace.getConfiguration('agentAuth');
  const log = vscode.window.createOutputChannel('Agent Auth add-provider tests', { log: true });
  const deps = {
    fetch: boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 }),
    log,
    signIn: async () => undefined,
  };
  let before: unknown[] | undefined;

  beforeEach(() => {
    assert.ok(issuer, 'AGENT_AUTH_E2E_ISSUER is set by the e2e run');
    before = config().inspect<unknown[]>('providers')?.globalValue;
  });
  afterEach(async () => {
    // Leave the user settings as the other scenarios expect them, and no warning toast behind.
    await config().update('providers', before, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
  });
  after(() => log.dispose());

  it('discovers the issuer, shows what it supports, writes a valid entry, then shows what to register', async () => {
    const prompts = new ScriptedPrompts([issuer!, 'agent-auth-test'], ['Continue', undefined]);
    const id = await addProvider(deps, prompts);
    assert.ok(id, 'an entry was added');

    const [url, client] = prompts.inputs;
    assert.equal(
      url.validateInput!('ftp://example.com'),
      'Enter an https: URL (http: only for loopback addresses such as 127.0.0.1).',
    );
    assert.equal(
      url.validateInput!('http://example.com'),
      'Enter an https: URL (http: only for loopback addresses such as 127.0.0.1).',
    );
    assert.equal(url.validateInput!(issuer!), undefined);
    assert.equal(client.validateInput!('  '), 'Enter the client id.');

    const [support, added] = prompts.modals;
    assert.equal(support.kind, 'info');
    assert.equal(support.message, `${issuer} supports everything Agent Auth needs.`);
    for (const line of [
      '✓ Browser sign-in (authorization code grant with PKCE S256)',
      '✓ Refresh tokens (refresh_token grant)',
      '✓ Device code sign-in (RFC 8628)',
      '✓ Token revocation on sign-out (RFC 7009)',
    ]) {
      assert.ok(support.detail.includes(line), `${line} in:\n${support.detail}`);
    }

    const written = config().inspect<unknown[]>('providers')?.globalValue ?? [];
    assert.equal(written.length, (before?.length ?? 0) + 1);
    const { providers, problems } = parseProviders(written);
    assert.deepEqual(problems, []);
    const entry = providers.find((p) => p.id === id)!;
    assert.equal(entry.issuer, issuer);
    assert.equal(entry.clientId, 'agent-auth-test');
    assert.equal(entry.flow, 'auto');
    assert.notEqual(
      written.findIndex((p) => (p as { id: string }).id === id),
      -1,
    );

    assert.equal(added.message, `Added "${id}" to agentAuth.providers. Register this at your identity provider:`);
    assert.deepEqual(added.actions, ['Sign In', 'Copy Steps']);
    assert.match(added.detail, /^Client type: public/m);
    assert.match(added.detail, /^Redirect URI: http:\/\/127\.0\.0\.1\/callback \(loopback, any port/m);
    assert.match(
      added.detail,
      /^Grant types: authorization_code with PKCE \(S256\), refresh_token, urn:ietf:params:oauth:grant-type:device_code\.$/m,
    );
    assert.match(added.detail, /^Scopes: openid offline_access\.$/m);
  });

  it('a URL without metadata is a clear error, and the settings stay as they were', async () => {
    const prompts = new ScriptedPrompts([`${issuer}/no-such-server`], []);
    assert.equal(await addProvider(deps, prompts), undefined);
    assert.equal(prompts.modals.length, 1);
    assert.equal(prompts.modals[0].kind, 'error');
    assert.match(prompts.modals[0].detail, /neither an authorization server .* nor a resource with RFC 9728 metadata/);
    assert.deepEqual(config().inspect<unknown[]>('providers')?.globalValue, before);
  });

  it('a broken agentAuth.providers in the user settings is left alone, with a clear error', async () => {
    const broken = { id: 'not-a-list' };
    await config().update('providers', broken, vscode.ConfigurationTarget.Global);
    const prompts = new ScriptedPrompts([issuer!, 'agent-auth-test'], ['Continue']);
    assert.equal(await addProvider(deps, prompts), undefined);
    assert.equal(prompts.modals.at(-1)!.kind, 'error');
    assert.match(prompts.modals.at(-1)!.detail, /"agentAuth\.providers" in your user settings is not a list/);
    assert.deepEqual(config().inspect('providers')?.globalValue, broken);
  });

  it('cancelling at the client id writes nothing', async () => {
    const prompts = new ScriptedPrompts([issuer!], ['Continue']);
    assert.equal(await addProvider(deps, prompts), undefined);
    assert.deepEqual(config().inspect<unknown[]>('providers')?.globalValue, before);
  });
});
