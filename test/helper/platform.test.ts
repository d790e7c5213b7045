import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helperScript } from '../../src/helper/binDir.js';
import { BIN } from './harness.js';

// What Windows runs cannot run here: these check the parts that are plain logic or text.
describe('token helper on every platform (logic only; Windows itself is not run here)', () => {
  it('points processes at the .cmd shim on Windows and at the POSIX script elsewhere', () => {
    assert.equal(helperScript('C:\\Users\\me\\.vscode\\extensions\\agentauth.agent-auth-1.0.0\\bin', 'win32'), 'C:\\Users\\me\\.vscode\\extensions\\agentauth.agent-auth-1.0.0\\bin\\agent-auth-token.cmd');
    for (const p of ['linux', 'darwin'] as const) assert.equal(helperScript('/ext/bin', p), '/ext/bin/agent-auth-token');
  });

  it('the .cmd shim runs the Node client beside it with VS Code’s runtime (else node), passes every argument and the exit status', () => {
    const cmd = readFileSync(join(BIN, 'agent-auth-token.cmd'), 'utf8');
    assert.ok(cmd.split('\n').slice(0, -1).every((l) => l.endsWith('\r')), 'CRLF line endings, as cmd.exe expects');
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
});
