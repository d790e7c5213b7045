import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { agentTask } from '../../src/vscode/tasks.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { eventually, hostGlue, readJsonLines, sha } from './hostGlue.js';

/** What the task's child reports: hashes of the token, never the token. */
const CHILD = `
const fs = require('fs');
const crypto = require('crypto');
const [out, ...args] = process.argv.slice(2);
const fp = (t) => t === undefined ? null : 'sha256:' + crypto.createHash('sha256').update(t).digest('hex').slice(0, 12);
const rec = (o) => fs.appendFileSync(out, JSON.stringify(o) + '\\n');
const helper = fp(require('child_process').execFileSync('agent-auth-token', ['hosttask'], { encoding: 'utf8' }).trim());
rec({ event: 'env', token: fp(process.env.HOSTTASK_TOKEN), helper, args, cwd: process.cwd() });
console.log('line one\\nline two');
if (args[0] === 'read') {
  process.stdin.setEncoding('utf8');
  let buf = '';
  process.stdin.on('data', (d) => { buf += d; if (buf.includes('\\n')) { rec({ event: 'input', line: buf }); process.exit(7); } });
  rec({ event: 'reading' });
} else process.exit(Number(args[0] ?? 0));
`;

describe('agent-auth tasks (real task system)', function () {
  this.timeout(30_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  let dir: string;
  let script: string;
  let n = 0;

  before(async function () {
    // Restricted Mode runs neither (see untrusted.test.ts).
    if (!vscode.workspace.isTrusted) return this.skip();
    w = await idpWorld({ providerId: 'hosttask', envVar: 'HOSTTASK_TOKEN' });
    await w.signIn();
    g = hostGlue(w.service);
    dir = mkdtempSync(join(tmpdir(), 'agent-auth-task-'));
    mkdirSync(join(dir, 'sub'));
    script = join(dir, 'child.js');
    writeFileSync(script, CHILD);
  });
  after(async () => {
    g?.dispose();
    await w?.close();
  });

  /** Runs an agent-auth task and resolves with its exit code. */
  async function run(
    definition: Record<string, unknown>,
    during?: (name: string) => Promise<void>,
  ): Promise<number | undefined> {
    const name = `host-task-${++n}`;
    const task = agentTask(g, { type: 'agent-auth', ...definition }, vscode.TaskScope.Workspace, name);
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== name) return;
        sub.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(task);
    await during?.(name);
    return ended;
  }

  it('runs the command with the fresh token in its env and agent-auth-token on PATH, and reports its exit code', async () => {
    const out = join(dir, 'out-1.jsonl');
    const code = await run({
      provider: 'hosttask',
      command: process.execPath,
      args: [script, out, '3', 'two words'],
      cwd: join(dir, 'sub'),
    });
    assert.equal(code, 3);
    const token = await w.service.getAccessToken('hosttask');
    const [env] = readJsonLines(out);
    assert.deepEqual(env, {
      event: 'env',
      token: sha(token.accessToken),
      helper: sha(token.accessToken),
      args: ['3', 'two words'],
      cwd: join(dir, 'sub'),
    });
  });

  it('passes typed input to the command as whole lines', async () => {
    const out = join(dir, 'out-2.jsonl');
    const code = await run(
      { provider: 'hosttask', command: process.execPath, args: [script, out, 'read'] },
      async (name) => {
        await eventually('the child to read stdin', () => readJsonLines(out).some((r) => r.event === 'reading'));
        const terminal = await eventually('the task terminal', () =>
          vscode.window.terminals.find((t) => t.name.includes(name)),
        );
        terminal.sendText('hello agent', true);
      },
    );
    assert.equal(code, 7);
    assert.deepEqual(
      readJsonLines(out).find((r) => r.event === 'input'),
      { event: 'input', line: 'hello agent\n' },
    );
  });

  it('ends with a non-zero code, running nothing, when the provider is not signed in', async () => {
    const out = join(dir, 'out-3.jsonl');
    assert.equal(await run({ provider: 'nobody', command: process.execPath, args: [script, out, '0'] }), 1);
    assert.deepEqual(readJsonLines(out), [], 'the command never ran');
    await w.service.signOut('hosttask');
    assert.equal(await run({ provider: 'hosttask', command: process.execPath, args: [script, out, '0'] }), 1);
    assert.deepEqual(readJsonLines(out), []);
    assert.deepEqual(g.signInCalls, [], 'the Sign In action is offered, not forced');
    await w.signIn();
  });

  it('ends with a non-zero code when the command cannot start or the definition is invalid', async () => {
    assert.equal(await run({ provider: 'hosttask', command: join(dir, 'no-such-command') }), 1);
    assert.equal(await run({ provider: 'hosttask' }), 1);
  });
});
