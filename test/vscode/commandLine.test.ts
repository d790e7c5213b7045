import assert from 'node:assert/strict';
import { join } from 'node:path';
import { commandLine, findOnWindowsPath } from '../../src/vscode/commandLine.js';

// Windows cannot run here: a fake file system stands in for its PATH; the rules are the subject.
describe('task commands on Windows: .cmd shims found with PATH and PATHEXT (logic only)', () => {
  const npm = 'C:\\Users\\me\\AppData\\Roaming\\npm';
  const sys = 'C:\\Windows\\System32';
  const files = new Set([
    `${npm}\\claude.cmd`,
    `${npm}\\claude`,
    `${npm}\\codex.CMD`,
    `${sys}\\where.exe`,
    `${npm}\\tool.bat`,
    'D:\\proj\\node_modules\\.bin\\agent.cmd',
  ]);
  const isFile = (p: string) => files.has(p);
  const env = { Path: `${sys};${npm}`, PATHEXT: '.COM;.EXE;.BAT;.CMD', ComSpec: 'C:\\Windows\\system32\\cmd.exe' };

  it('finds claude.cmd for "claude" (not the extensionless sh shim beside it), whatever the case of the variables', () => {
    assert.equal(findOnWindowsPath('claude', env, isFile), `${npm}\\claude.cmd`);
    assert.equal(
      findOnWindowsPath(
        'codex',
        { PATH: env.Path, pathext: env.PATHEXT },
        (p) => p.toLowerCase() === `${npm}\\codex.cmd`.toLowerCase(),
      ),
      `${npm}\\codex.cmd`,
    );
    assert.equal(findOnWindowsPath('where', env, isFile), `${sys}\\where.exe`);
    assert.equal(findOnWindowsPath('claude.cmd', env, isFile), `${npm}\\claude.cmd`);
    assert.equal(findOnWindowsPath('nothing', env, isFile), undefined);
    assert.equal(
      findOnWindowsPath('claude', { ...env, PATHEXT: '.EXE' }, isFile),
      undefined,
      'only PATHEXT extensions',
    );
  });

  it('runs a .cmd or .bat shim through cmd.exe with every argument quoted and escaped', () => {
    const l = commandLine('claude', ['-p', 'fix "it" & run', 'a\\b\\'], { platform: 'win32', env, isFile });
    assert.equal(l.file, 'C:\\Windows\\system32\\cmd.exe');
    assert.equal(l.windowsVerbatimArguments, true);
    assert.deepEqual(l.args.slice(0, 3), ['/d', '/s', '/c']);
    assert.equal(
      l.args[3],
      `"C:\\Users\\me\\AppData\\Roaming\\npm\\claude.cmd ^"-p^" ^"fix^ \\^"it\\^"^ ^&^ run^" ^"a\\b\\\\^""`,
    );
    assert.equal(commandLine('tool', [], { platform: 'win32', env, isFile }).args[3], `"${npm}\\tool.bat"`);
  });

  it('escapes twice for npm’s node_modules\\.bin shims, which parse %* again', () => {
    const l = commandLine('D:\\proj\\node_modules\\.bin\\agent.cmd', ['a&b'], { platform: 'win32', env, isFile });
    assert.equal(l.args[3], '"D:\\proj\\node_modules\\.bin\\agent.cmd ^^^"a^^^&b^^^""');
  });

  it('spawns an .exe directly, and leaves the command alone on Linux and macOS', () => {
    assert.deepEqual(commandLine('where', ['x'], { platform: 'win32', env, isFile }), {
      file: `${sys}\\where.exe`,
      args: ['x'],
    });
    for (const platform of ['linux', 'darwin'] as const)
      assert.deepEqual(commandLine('claude', ['-p'], { platform, env, isFile }), { file: 'claude', args: ['-p'] });
  });

  it('the Node client’s exec (bin/agent-auth-token.js, what Windows runs) follows the same rules', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const js = require(join(__dirname, '../../bin/agent-auth-token.js')).commandLine;
    const cases: [string, string[], NodeJS.Platform][] = [
      ['claude', ['-p', 'fix "it" & run', 'a\\b\\'], 'win32'],
      ['codex', ['%PATH%', '!x!', '^', '(a)'], 'win32'],
      ['tool', [], 'win32'],
      ['where', ['x'], 'win32'],
      ['nothing', ['x'], 'win32'],
      ['D:\\proj\\node_modules\\.bin\\agent.cmd', ['a&b'], 'win32'],
      ['claude', ['-p'], 'linux'],
    ];
    const files2 = new Set([...files, `${npm}\\codex.cmd`]);
    for (const [command, args, platform] of cases) {
      const isFile2 = (p: string) => files2.has(p);
      assert.deepEqual(
        js(command, args, platform, env, isFile2),
        commandLine(command, args, { platform, env, isFile: isFile2 }),
        `${command} ${args.join(' ')}`,
      );
    }
  });
});
