import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userWideDir } from '../../src/helper/userWide.js';
import { BIN, clients, runHelper } from './harness.js';

const NOT_OPENED =
  'Agent Auth: this shell was not opened by VS Code with Agent Auth (AGENT_AUTH_IPC is not set), and no VS Code window serves agent-auth-token user-wide (setting agentAuth.helper.userWide); open a new VS Code terminal.\n';
const NONE_OPEN =
  'Agent Auth: no VS Code window serving agent-auth-token user-wide (setting agentAuth.helper.userWide) is open; open VS Code.\n';

/** A window: a separate process serving or standing by for the user-wide socket. */
class Window {
  readonly child: ChildProcess;
  private readonly messages: string[] = [];
  constructor(
    dir: string,
    readonly token: string,
  ) {
    this.child = fork(join(__dirname, 'userWideWorker.ts'), [dir, token], {
      execArgv: ['--require', require.resolve('tsx/cjs')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: string) => this.messages.push(m));
  }
  async next(what: string): Promise<void> {
    while (!this.messages.includes(what)) await once(this.child, 'message');
  }
  async stop(): Promise<void> {
    this.child.send('stop');
    await this.next('stopped');
  }
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }
}

describe('user-wide token helper (agentAuth.helper.userWide): two processes hand the socket over', function () {
  this.timeout(60_000);
  let runtime: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const windows: Window[] = [];
  before(() => {
    runtime = mkdtempSync(join(tmpdir(), 'agent-auth-xdg-'));
    dir = userWideDir({ XDG_RUNTIME_DIR: runtime }, 'linux');
    // An external terminal: none of the per-terminal variables.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtime };
  });
  after(async () => {
    for (const w of windows) await w.crash();
    rmSync(runtime, { recursive: true, force: true });
  });
  const open = (token: string) => {
    const w = new Window(dir, token);
    windows.push(w);
    return w;
  };
  /** Both clients, until they print `token` (polling with a deadline). */
  async function bothGet(token: string): Promise<void> {
    for (const client of clients()) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const r = await runHelper(['acme'], env, '', client);
        if (r.code === 0 && r.stdout === `${token}\n`) break;
        if (Date.now() > deadline) assert.fail(`${client.name}: expected ${token}, got ${JSON.stringify(r)}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }
  async function bothRefuse(message: string): Promise<void> {
    for (const client of clients()) {
      const r = await runHelper(['acme'], env, '', client);
      assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', message], client.name);
    }
  }

  it('with no window open, both clients exit 3 and say what to do', async () => {
    await bothRefuse(NOT_OPENED);
  });

  it('one window serves at a stable private path; the other stands by and takes over when it crashes or closes', async () => {
    const a = open('token-from-A');
    await a.next('serving');
    const b = open('token-from-B');
    await b.next('ready');
    await bothGet('token-from-A');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of ['user.sock', 'user.ipc']) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);

    await a.crash(); // killed: nobody unlinks the socket or the file
    await b.next('serving');
    await bothGet('token-from-B');

    const c = open('token-from-C');
    await c.next('ready');
    await b.stop(); // closed: hands over
    await c.next('serving');
    await bothGet('token-from-C');

    await c.crash();
    await bothRefuse(NONE_OPEN);
  });

  it('the last window to close leaves nothing that looks served', async () => {
    const d = open('token-from-D');
    await d.next('serving');
    await bothGet('token-from-D');
    await d.stop();
    await bothRefuse(NOT_OPENED);
  });

  it('clients and the extension agree on the directory on every platform', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const js = require(join(BIN, 'agent-auth-token.js')).userWideDir as typeof userWideDir;
    const cases: [NodeJS.ProcessEnv, NodeJS.Platform, string][] = [
      [{ XDG_RUNTIME_DIR: '/run/user/1000' }, 'linux', '/run/user/1000/agent-auth'],
      [{}, 'linux', '/home/me/.cache/agent-auth'],
      [{ XDG_RUNTIME_DIR: 'relative' }, 'linux', '/home/me/.cache/agent-auth'],
      [{ TMPDIR: '/tmp' }, 'darwin', '/home/me/Library/Application Support/agent-auth'],
      [{ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me\\AppData\\Local\\agent-auth'],
    ];
    for (const [e, platform, want] of cases) {
      assert.equal(userWideDir(e, platform, '/home/me'), want);
      assert.equal(js(e, platform, '/home/me'), want);
    }
  });
});
