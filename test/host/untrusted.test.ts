import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { startTokenHelperServer } from '../../src/helper/server.js';
import { gitCredentials } from '../../src/vscode/gitCredentials.js';
import { AgentClients } from '../../src/vscode/languageServers.js';
import { AgentTaskTerminal, registerTasks } from '../../src/vscode/tasks.js';
import { terminalOptions } from '../../src/vscode/terminals.js';
import { helperTokenSource } from '../../src/vscode/tokenHelper.js';
import { runHelper } from '../helper/harness.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { eventually, hostGlue, readJsonLines, repoFile } from './hostGlue.js';
import { ENV_REPORT } from './envReport.js';

const ALLOW_UNTRUSTED_TERMINALS = 'allowInUntrustedWorkspace';

/**
 * Lets a terminal process start in this untrusted window without anyone answering a dialog, and
 * returns how to undo that. VS Code 1.139 asks for workspace trust in a modal before any terminal
 * process starts in an untrusted window ("Creating a terminal process requires executing code"),
 * and the process waits for the answer; with the user setting
 * terminal.integrated.allowInUntrustedWorkspace on it starts untrusted, which is the case these
 * tests are about. Older VS Code has no such setting (updating an unknown one fails) and starts
 * code-server's terminals, which are remote, without asking.
 */
async function allowTerminalsWhileUntrusted(): Promise<() => Promise<void>> {
  const terminal = vscode.workspace.getConfiguration('terminal.integrated');
  if (terminal.inspect(ALLOW_UNTRUSTED_TERMINALS)?.defaultValue === undefined) return async () => undefined;
  await terminal.update(ALLOW_UNTRUSTED_TERMINALS, true, vscode.ConfigurationTarget.Global);
  return async () => terminal.update(ALLOW_UNTRUSTED_TERMINALS, undefined, vscode.ConfigurationTarget.Global);
}

/**
 * Restricted Mode: no token for tasks, the token command or agents. Runs only in a host whose
 * workspace is untrusted (code-server with workspace trust enabled); skipped elsewhere.
 */
describe('untrusted workspace: no tokens', function () {
  this.timeout(30_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  let dir: string;

  before(async function () {
    if (vscode.workspace.isTrusted) return this.skip();
    w = await idpWorld({ providerId: 'untrusted', envVar: 'UNTRUSTED_TOKEN' });
    await w.signIn();
    g = hostGlue(w.service);
    dir = mkdtempSync(join(tmpdir(), 'agent-auth-untrusted-'));
  });
  after(async () => {
    g?.dispose();
    await w?.close();
  });

  // VS Code itself does not run tasks in Restricted Mode; this drives the task's pseudoterminal directly.
  it('an agent-auth task ends with code 1 and a clear line, without running its command', async () => {
    const out = join(dir, 'ran');
    // Writes the file named by its argument, by default `out`.
    writeFileSync(
      join(dir, 'child.js'),
      `require('fs').writeFileSync(process.argv[2] || ${JSON.stringify(out)}, 'ran')`,
    );
    const pty = new AgentTaskTerminal(
      g,
      { type: 'agent-auth', provider: 'untrusted', command: process.execPath, args: [join(dir, 'child.js')] },
      dir,
    );
    let text = '';
    pty.onDidWrite((t) => (text += t));
    const code = new Promise<number | void>((resolve) => pty.onDidClose((c) => resolve(c)));
    pty.open();
    assert.equal(await code, 1);
    assert.match(text, /no tokens to tasks of an untrusted workspace/);
    // The same command, started by this window after the task closed, has run and written its file:
    // had the task started its command, that one would have written by now too.
    const control = join(dir, 'control-ran');
    const child = spawn(process.execPath, [join(dir, 'child.js'), control], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: 'ignore',
    });
    await once(child, 'exit');
    assert.ok(existsSync(control), 'the control command ran');
    assert.ok(!existsSync(out), 'the command never ran');
  });

  it('git in the Source Control view gets no token, even for the provider’s own host', async () => {
    assert.equal(await gitCredentials(g, vscode.Uri.parse(w.idp.issuer)), undefined);
  });

  it('${command:agentAuth.accessToken} refuses', async () => {
    // The installed extension's command; where it is not installed, the same glue registered here.
    const own = (await vscode.commands.getCommands(true)).includes('agentAuth.accessToken')
      ? undefined
      : registerTasks(g);
    try {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('agentAuth.accessToken', 'untrusted')),
        /untrusted workspace/,
      );
    } finally {
      own?.dispose();
    }
  });

  it('the token helper stays off: no server, no variables for "New Terminal with Token"', async () => {
    assert.equal(await g.tokenHelper(), undefined);
    const options = await terminalOptions(g, 'untrusted');
    assert.ok(options?.env, 'the terminal itself is still offered');
    assert.deepEqual(
      Object.keys(options.env).filter((k) => k.startsWith('AGENT_AUTH_')),
      [],
    );
  });

  it('a real terminal gets no helper variables from the installed extension', async () => {
    // The installed extension is active here (limited support): its environment collection applies to every terminal.
    await vscode.extensions.getExtension('agentauth.agent-auth')!.activate();
    const script = join(dir, 'env-report.js');
    const out = join(dir, 'env.jsonl');
    writeFileSync(script, ENV_REPORT);
    const restore = await allowTerminalsWhileUntrusted();
    const terminal = vscode.window.createTerminal({
      name: 'env report',
      shellPath: process.execPath,
      shellArgs: [script, out],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    try {
      const [seen] = await eventually(
        'the terminal to report its environment',
        () => readJsonLines(out)[0] && readJsonLines(out),
        20_000,
      );
      assert.deepEqual(seen, {
        AGENT_AUTH_IPC: false,
        AGENT_AUTH_NONCE: false,
        AGENT_AUTH_TOKEN_HELPER: false,
        helperOnPath: false,
      });
    } finally {
      terminal.dispose();
      await restore();
    }
  });

  it('the helper refuses requests that come from this window', async () => {
    // A server with the product's token source, as an old terminal's variables might still reach.
    const server = await startTokenHelperServer({ source: helperTokenSource(w.service) });
    try {
      const r = await runHelper(['untrusted'], { ...process.env, ...server.env });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /workspace is not trusted \(Restricted Mode\), so the token helper gives no tokens/);
    } finally {
      await server.close();
    }
  });

  it('agents do not start, even with their provider signed in', async () => {
    const server = repoFile('test/fixtures/agent-server/server.js');
    const record = join(dir, 'record.jsonl');
    const clients = new AgentClients(g);
    // A language server this window may start (no token involved): once it has started and
    // answered initialize, the agent would have started too.
    const controlRecord = join(dir, 'control.jsonl');
    const control = new LanguageClient(
      'agentAuth.test.control',
      'Agent Auth host tests: control server',
      {
        command: process.execPath,
        args: [server],
        options: { env: { ...process.env, AGENT_SERVER_RECORD: controlRecord, ELECTRON_RUN_AS_NODE: '1' } },
      },
      { documentSelector: [] },
    );
    try {
      clients.update([
        {
          id: 'untrusted-agent',
          provider: 'untrusted',
          command: process.execPath,
          args: [server],
          documentSelector: [],
          env: { AGENT_SERVER_RECORD: record, ELECTRON_RUN_AS_NODE: '1' },
        },
      ]);
      await control.start();
      await eventually(
        'the control server to start and answer initialize',
        () => readJsonLines(controlRecord).some((r) => r.event === 'initialize'),
        20_000,
      );
    } finally {
      await control.dispose().catch(() => undefined);
      await clients.dispose();
    }
    assert.deepEqual(readJsonLines(record), []);
  });
});
