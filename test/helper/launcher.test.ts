import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installLauncher, launcherPath, launcherScript, NotOurFileError } from '../../src/helper/launcher.js';
import { BIN, HOUR, runHelper, startHelper } from './harness.js';

const ID = 'agentauth.agent-auth';

describe('"Install Token Helper on PATH": the launcher', function () {
  this.timeout(20_000);
  let root: string;
  let exts: string;
  let target: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'agent-auth-launcher-'));
    exts = join(root, "extensions with 'quotes'");
    target = launcherPath('linux', {}, join(root, 'home'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** An installed version whose agent-auth-token prints its version and arguments. */
  const fakeVersion = (folder: string) => {
    mkdirSync(join(exts, folder, 'bin'), { recursive: true });
    writeFileSync(join(exts, folder, 'bin', 'agent-auth-token'), `#!/bin/sh\necho "${folder} $*"\n`, { mode: 0o755 });
  };

  it('goes to ~/.local/bin on Linux and macOS, and to %LOCALAPPDATA%\\agent-auth\\bin on Windows', () => {
    assert.equal(launcherPath('linux', {}, '/home/me'), '/home/me/.local/bin/agent-auth-token');
    assert.equal(launcherPath('darwin', {}, '/Users/me'), '/Users/me/.local/bin/agent-auth-token');
    assert.equal(
      launcherPath('win32', { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'C:\\Users\\me'),
      'C:\\Users\\me\\AppData\\Local\\agent-auth\\bin\\agent-auth-token.cmd',
    );
  });

  it('runs the newest installed version (1.10.0 after 1.9.0), with every argument, and follows an update', async () => {
    fakeVersion(`${ID}-1.9.0`);
    fakeVersion(`${ID}-1.10.0`);
    fakeVersion('other.extension-9.9.9');
    assert.deepEqual(installLauncher(target, launcherScript('linux', exts, ID)), { replaced: false });
    assert.equal(statSync(target).mode & 0o777, 0o755);
    const r = await runHelper(['git-credential', 'a b', 'get'], process.env, '', {
      name: 'launcher',
      argv: [target],
      execReplacesItself: true,
      transports: () => [],
    });
    assert.deepEqual([r.code, r.stdout], [0, `${ID}-1.10.0 git-credential a b get\n`]);

    fakeVersion(`${ID}-1.10.1-linux-x64`); // an update (a platform-specific build)
    rmSync(join(exts, `${ID}-1.10.0`), { recursive: true });
    const after = await runHelper([], process.env, '', {
      name: 'launcher',
      argv: [target],
      execReplacesItself: true,
      transports: () => [],
    });
    assert.equal(after.stdout, `${ID}-1.10.1-linux-x64 \n`);
  });

  it('reaches a real window through the real client of the installed version', async () => {
    cpSync(BIN, join(exts, `${ID}-2.0.0`, 'bin'), { recursive: true });
    installLauncher(target, launcherScript('linux', exts, ID));
    const h = await startHelper({ acme: { accessToken: 'launched-token', expiresAt: Date.now() + HOUR } });
    try {
      const r = await runHelper(['acme'], h.env, '', {
        name: 'launcher',
        argv: [target],
        execReplacesItself: true,
        transports: () => [],
      });
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'launched-token\n', '']);
    } finally {
      await h.server.close();
    }
  });

  it('says so (exit 3) when no version is installed any more', async () => {
    installLauncher(target, launcherScript('linux', exts, ID));
    const r = await runHelper([], process.env, '', {
      name: 'launcher',
      argv: [target],
      execReplacesItself: true,
      transports: () => [],
    });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no Agent Auth extension in .*; reinstall it, or remove .*agent-auth-token/);
  });

  it('replaces its own launcher, and refuses to overwrite a file or link it did not write', () => {
    installLauncher(target, launcherScript('linux', exts, ID));
    assert.deepEqual(installLauncher(target, launcherScript('linux', join(root, 'elsewhere'), ID)), { replaced: true });
    assert.match(readFileSync(target, 'utf8'), /elsewhere/);

    writeFileSync(target, '#!/bin/sh\necho mine\n');
    assert.throws(() => installLauncher(target, launcherScript('linux', exts, ID)), NotOurFileError);
    assert.equal(readFileSync(target, 'utf8'), '#!/bin/sh\necho mine\n', 'left alone');

    rmSync(target);
    symlinkSync('/bin/true', target);
    assert.throws(() => installLauncher(target, launcherScript('linux', exts, ID)), NotOurFileError);
  });
});
