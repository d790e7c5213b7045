import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HELPER_ENABLED_SETTING } from '../../src/vscode/tokenHelper.js';
import { runHelper } from '../helper/harness.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { ENV_REPORT } from './envReport.js';
import { eventually, hostGlue, readJsonLines } from './hostGlue.js';

/** The token helper in a trusted window, and `agentAuth.helper.enabled` turning it off and on again. */
describe('token helper switch (trusted window, real settings)', function () {
  this.timeout(40_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  let dir: string;
  const config = () => vscode.workspace.getConfiguration();
  const setEnabled = (on: boolean | undefined) =>
    config().update(HELPER_ENABLED_SETTING, on, vscode.ConfigurationTarget.Global);

  before(async function () {
    if (!vscode.workspace.isTrusted) return this.skip(); // untrusted.test.ts covers Restricted Mode
    w = await idpWorld({ providerId: 'switch', envVar: 'SWITCH_TOKEN' });
    await w.signIn();
    g = hostGlue(w.service);
    dir = mkdtempSync(join(tmpdir(), 'agent-auth-switch-'));
  });
  after(async () => {
    await setEnabled(undefined);
    g?.dispose();
    await w?.close();
  });

  /** What a new real terminal sees of the installed extension's helper. */
  async function terminalSees(name: string): Promise<Record<string, boolean>> {
    const script = join(dir, 'env-report.js');
    const out = join(dir, `${name}.jsonl`);
    writeFileSync(script, ENV_REPORT);
    const terminal = vscode.window.createTerminal({
      name,
      shellPath: process.execPath,
      shellArgs: [script, out],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    try {
      const [seen] = await eventually(
        `terminal ${name} to report`,
        () => readJsonLines(out)[0] && readJsonLines(out),
        20_000,
      );
      return seen as Record<string, boolean>;
    } finally {
      terminal.dispose();
    }
  }

  it('a new terminal of a trusted window gets the installed extension’s helper variables and command', async () => {
    await vscode.extensions.getExtension('agentauth.agent-auth')!.activate();
    // The collection is filled once the installed extension's helper listens; ask new terminals until then.
    let seen: Record<string, boolean> = {};
    const deadline = Date.now() + 15_000;
    for (let i = 0; Date.now() < deadline; i++) {
      seen = await terminalSees(`trusted-${i}`);
      if (seen.AGENT_AUTH_IPC) break;
    }
    assert.deepEqual(seen, {
      AGENT_AUTH_IPC: true,
      AGENT_AUTH_NONCE: true,
      AGENT_AUTH_TOKEN_HELPER: true,
      helperOnPath: true,
    });
  });

  it('agentAuth.helper.enabled=false closes the socket and gives no variables; true brings a new helper back', async () => {
    const first = await g.tokenHelper();
    assert.ok(first, 'on by default');
    const socket = first.env.AGENT_AUTH_IPC;
    assert.equal((await runHelper(['switch'], { ...process.env, ...first.env })).code, 0);

    let changes = 0;
    const sub = g.tokenHelper.onDidChange(() => changes++);
    try {
      await setEnabled(false);
      await eventually('the helper socket to go away', () => !existsSync(socket));
      assert.equal(await g.tokenHelper(), undefined);
      const off = await runHelper(['switch'], { ...process.env, ...first.env });
      assert.equal(off.code, 3, 'an old terminal finds no window to ask');
      assert.equal(off.stdout, '');
      assert.ok(changes >= 1, 'terminals were told to drop the variables');

      await setEnabled(true);
      await eventually('the change to be announced', () => changes >= 2);
      const again = await g.tokenHelper();
      assert.ok(again && again.env.AGENT_AUTH_IPC !== socket, 'a new socket');
      const r = await runHelper(['switch'], { ...process.env, ...again.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), (await w.service.getAccessToken('switch')).accessToken);
    } finally {
      sub.dispose();
    }
  });
});
