import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { terminalOptions } from '../../src/vscode/terminals.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { eventually, hostGlue, readJsonLines, sha } from './hostGlue.js';

const REPORT = `
const fs = require('fs');
const crypto = require('crypto');
const fp = (t) => t === undefined ? null : 'sha256:' + crypto.createHash('sha256').update(t).digest('hex').slice(0, 12);
fs.appendFileSync(process.argv[2], JSON.stringify({ token: fp(process.env.HOSTTERM_TOKEN) }) + '\\n');
`;

describe('"New Terminal with Token" (real terminal)', function () {
  this.timeout(30_000);
  let w: IdpWorld;
  let g: ReturnType<typeof hostGlue>;
  const terminals: vscode.Terminal[] = [];

  before(async () => {
    w = await idpWorld({ providerId: 'hostterm', envVar: 'HOSTTERM_TOKEN' });
    g = hostGlue(w.service);
  });
  after(async () => {
    terminals.forEach((t) => t.dispose());
    g.dispose();
    await w.close();
  });

  it('builds a transient terminal holding the current token and the helper variables', async () => {
    await w.signIn();
    const token = await w.service.getAccessToken('hostterm');
    const options = (await terminalOptions(g, 'hostterm'))!;
    assert.equal(options.isTransient, true, 'never revived (with its env) after a reload');
    assert.equal(options.name, 'Dev IdP token');
    const env = options.env!;
    assert.equal(sha(env.HOSTTERM_TOKEN ?? undefined), sha(token.accessToken));
    for (const v of ['AGENT_AUTH_TOKEN_HELPER', 'AGENT_AUTH_IPC', 'AGENT_AUTH_NONCE']) assert.ok(env[v], `${v} is set`);
    // The helper those variables point at answers. (Run here, not in the shell: in this host the
    // installed extension's environment collection sets the same variables for its own helper.)
    // (Asynchronously: the helper server runs in this very process.)
    const childEnv = { ...process.env, ...(env as Record<string, string>) };
    const { stdout } = await promisify(execFile)(env.AGENT_AUTH_TOKEN_HELPER!, ['hostterm'], { env: childEnv });
    assert.equal(sha(stdout.trim()), sha(token.accessToken));
    // The Node client (what Windows runs) on the host's own runtime, as the .cmd shim starts it; and the ID token.
    const node = await promisify(execFile)(
      env.AGENT_AUTH_NODE!,
      [`${env.AGENT_AUTH_TOKEN_HELPER}.js`, '--id-token', 'hostterm'],
      {
        env: { ...childEnv, ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    assert.equal(sha(node.stdout.trim()), sha(w.service.state('hostterm')!.session!.idToken));
  });

  it('gives the shell in that terminal the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-auth-term-'));
    const script = join(dir, 'report.js');
    const out = join(dir, 'out.jsonl');
    writeFileSync(script, REPORT);
    const terminal = vscode.window.createTerminal((await terminalOptions(g, 'hostterm'))!);
    terminals.push(terminal);
    terminal.sendText(`'${process.execPath}' '${script}' '${out}'`);
    const [seen] = await eventually(
      'the shell to run the report',
      () => readJsonLines(out)[0] && readJsonLines(out),
      20_000,
    );
    const token = await w.service.getAccessToken('hostterm');
    assert.deepEqual(seen, { token: sha(token.accessToken) });
  });

  it('opens nothing (and offers sign-in) when the provider is not signed in', async () => {
    await w.service.signOut('hostterm');
    assert.equal(await terminalOptions(g, 'hostterm'), undefined);
  });
});
