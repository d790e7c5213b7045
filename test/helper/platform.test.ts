import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helperScript } from '../../src/helper/binDir.js';
import { startTokenHelperServer } from '../../src/helper/server.js';
import { BIN, HOUR, LogLines, MapSource, pathWith, removeToolDirs } from './harness.js';
import { runProcess } from '../support/runProcess.js';

/** Runs `argv` in `cwd` (asynchronously: the helper server answers from this process). */
const runIn = (cwd: string, argv: string[], env: NodeJS.ProcessEnv) => runProcess(argv, { cwd, env });

// What Windows runs cannot run here: these check the parts that are plain logic or text.
describe('token helper on every platform (logic only; Windows itself is not run here)', () => {
  it('points processes at the .cmd shim on Windows and at the POSIX script elsewhere', () => {
    assert.equal(
      helperScript('C:\\Users\\me\\.vscode\\extensions\\agentauth.agent-auth-1.0.0\\bin', 'win32'),
      'C:\\Users\\me\\.vscode\\extensions\\agentauth.agent-auth-1.0.0\\bin\\agent-auth-token.cmd',
    );
    for (const p of ['linux', 'darwin'] as const)
      assert.equal(helperScript('/ext/bin', p), '/ext/bin/agent-auth-token');
  });

  it('the .cmd shim runs the Node client beside it with VS Code’s runtime (else node), passes every argument and the exit status', () => {
    const cmd = readFileSync(join(BIN, 'agent-auth-token.cmd'), 'utf8');
    assert.ok(
      cmd
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith('\r')),
      'CRLF line endings, as cmd.exe expects',
    );
    assert.match(cmd, /^@echo off\r\n/);
    assert.match(cmd, /\r\nsetlocal\r\n/, 'ELECTRON_RUN_AS_NODE stays inside the shim');
    assert.match(cmd, /\r\n"%AGENT_AUTH_NODE%" "%~dp0agent-auth-token\.js" %\*\r\nexit \/b %ERRORLEVEL%\r\n/);
    assert.match(cmd, /\r\nnode "%~dp0agent-auth-token\.js" %\*\r\nexit \/b %ERRORLEVEL%\r\n/);
  });

  it('the Node client builds the same requests as the POSIX script', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseArgs, requestPath } = require(join(BIN, 'agent-auth-token.js'));
    const v1beta1 = { KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1beta1"}' };
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [[], {}, '/v1/token?format=raw'],
      [['acme'], {}, '/v1/token?format=raw&provider=acme'],
      [['--id-token', 'acme'], {}, '/v1/token?format=raw&provider=acme&token=id'],
      [['kubectl', '--id-token', 'acme'], v1beta1, '/v1/token?format=kubectl&provider=acme&api=v1beta1&token=id'],
      [['git-credential', 'acme', 'get'], {}, '/v1/token?format=git&provider=acme'],
      [['exec', '-p', 'a.b', '--', 'x'], {}, '/v1/token?format=exec&provider=a.b'],
    ];
    for (const [args, env, path] of cases) assert.equal(requestPath(parseArgs(args), env), path, args.join(' '));
  });

  // On Linux a file may be named "\\.\pipe\agent-auth-…" (backslashes are ordinary characters), so a
  // real helper server listens on a Unix socket of exactly that name in the working folder: a client
  // that passes the name on unchanged reaches it, as it would reach the named pipe on Windows.
  describe('a Windows named pipe name (\\\\.\\pipe\\…) reaches the Node client unchanged', () => {
    const PIPE = '\\\\.\\pipe\\agent-auth-0123456789abcdef';
    let dir: string;
    let server: Awaited<ReturnType<typeof startTokenHelperServer>>;
    const token = 'pipe-token-0123456789';
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'agent-auth-pipe-'));
      server = await startTokenHelperServer({
        listenAt: join(dir, PIPE),
        source: new MapSource({ acme: { accessToken: token, expiresAt: Date.now() + HOUR } }),
        log: new LogLines(),
      });
    });
    after(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
      removeToolDirs();
    });

    it('Git Bash: the POSIX script hands a pipe name to the Node client, not to perl or curl', async () => {
      const spyLog = join(dir, 'node-called');
      const spy = join(dir, 'node-spy');
      // The real Node runs the client; the wrapper only notes that it was asked to.
      writeFileSync(spy, `#!/bin/sh\necho "$@" > '${spyLog}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
      const env = {
        PATH: pathWith('perl', 'curl'),
        AGENT_AUTH_IPC: PIPE,
        AGENT_AUTH_NONCE: server.env.AGENT_AUTH_NONCE,
        AGENT_AUTH_NODE: spy,
      };
      const r = await runIn(dir, [join(BIN, 'agent-auth-token'), 'acme'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trimEnd(), token);
      assert.ok(existsSync(spyLog), 'the Node client was used');
      assert.match(readFileSync(spyLog, 'utf8'), /agent-auth-token\.js --request \/v1\/token/);
    });

    it('the Node client connects to the pipe named by AGENT_AUTH_IPC, and to the one user.ipc names (user-wide)', async () => {
      const node = [process.execPath, join(BIN, 'agent-auth-token.js'), 'acme'];
      const direct = await runIn(dir, node, {
        PATH: process.env.PATH,
        AGENT_AUTH_IPC: PIPE,
        AGENT_AUTH_NONCE: server.env.AGENT_AUTH_NONCE,
      });
      assert.equal(direct.code, 0, direct.stderr);
      assert.equal(direct.stdout.trimEnd(), token);
      // user.ipc as the user-wide helper writes it on Windows: the pipe name, then the nonce.
      const runtime = join(dir, 'runtime');
      mkdirSync(join(runtime, 'agent-auth'), { recursive: true, mode: 0o700 });
      writeFileSync(join(runtime, 'agent-auth', 'user.ipc'), `${PIPE}\n${server.env.AGENT_AUTH_NONCE}\n`, {
        mode: 0o600,
      });
      const userWide = await runIn(dir, node, { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: runtime });
      assert.equal(userWide.code, 0, userWide.stderr);
      assert.equal(userWide.stdout.trimEnd(), token);
    });
  });
});
