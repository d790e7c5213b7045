import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AgentAuthApi } from '../../src/vscode/extension.js';
import { eventually } from './hostGlue.js';

// Runs inside a real extension host (test/e2e/run.ts or test/e2e/electron.ts), against the installed extension.
const ID = 'agentauth.agent-auth';
const PALETTE = [
  'agentAuth.addProvider',
  'agentAuth.signIn',
  'agentAuth.signOut',
  'agentAuth.showStatus',
  'agentAuth.refreshNow',
  'agentAuth.copyAccessToken',
  'agentAuth.showLog',
  'agentAuth.newTerminal',
  'agentAuth.setClientSecret',
];

describe('Agent Auth activation', () => {
  let ext: vscode.Extension<AgentAuthApi>;

  before(() => {
    const found = vscode.extensions.getExtension<AgentAuthApi>(ID);
    assert.ok(found, `${ID} is not installed`);
    ext = found;
  });

  // Nothing here calls activate() first: the manifest's activation event must start it on its own
  // (terminals need the helper before anyone runs an Agent Auth command), and activate() must not throw.
  it('activates by itself after start-up, without being asked', async () => {
    await eventually('Agent Auth to activate on its own (activationEvents)', () => ext.isActive, 30_000);
    await ext.activate(); // resolves to the exports, rejects if activation threw
  });

  it('registers the palette commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      PALETTE.filter((c) => !registered.has(c)),
      [],
    );
  });

  it('registers every command its manifest contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed: { command: string }[] = ext.packageJSON.contributes.commands;
    assert.deepEqual(
      contributed.map((c) => c.command).filter((c) => !registered.has(c)),
      [],
    );
  });

  it('exports getAccessToken and onDidChangeToken', async () => {
    const api = ext.exports;
    assert.equal(typeof api.getAccessToken, 'function');
    const subscription = api.onDidChangeToken(() => undefined);
    assert.equal(typeof subscription.dispose, 'function');
    subscription.dispose();
    const forged = {
      id: 'dev/s-dev',
      accessToken: 'guessed',
      account: { id: 'u', label: 'u' },
      scopes: ['provider:dev'],
    };
    await assert.rejects(
      api.getAccessToken(forged),
      /vscode\.authentication\.getSession/,
      'a session VS Code did not hand out is refused',
    );
    await assert.rejects(
      api.getAccessToken('dev' as never),
      /vscode\.authentication\.getSession/,
      'a bare provider id is refused',
    );
    await assert.rejects(api.fetchWithToken(forged, 'http://127.0.0.2:9/'), /vscode\.authentication\.getSession/);
  });
});
