import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import { RecordingLogger } from '../support/recordingLogger.js';

/** The lock folder must not become a way to make us read or write somewhere else. */
describe('security: lock folder', () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'agent-auth-lock-'))));
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('is created user-only', async () => {
    const lock = new FileRefreshLock(join(root, 'locks'), { log: new RecordingLogger() });
    await lock.withLock('acme', async () => undefined);
    assert.equal((await stat(join(root, 'locks'))).mode & 0o777, 0o700);
  });

  it('refuses a folder that is a symlink', async () => {
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(root, 'locks'));
    const lock = new FileRefreshLock(join(root, 'locks'), { log: new RecordingLogger() });
    await assert.rejects(
      lock.withLock('acme', async () => undefined),
      /not a plain folder \(symlink\?\)/,
    );
    await assert.rejects(lock.writeMarker('acme', { sessionId: 's', generation: 1 }), /symlink/);
    assert.deepEqual(await readdir(join(root, 'elsewhere')), []);
  });

  it('replaces a planted marker symlink instead of writing through it', async () => {
    const dir = join(root, 'locks');
    const lock = new FileRefreshLock(dir, { log: new RecordingLogger() });
    await lock.withLock('acme', async () => undefined);
    const victim = join(root, 'victim.txt');
    await writeFile(victim, 'precious');
    await symlink(victim, join(dir, 'acme.generation.json'));
    await lock.writeMarker('acme', { sessionId: 's', generation: 3 });
    assert.equal(await readFile(victim, 'utf8'), 'precious');
    assert.equal((await lstat(join(dir, 'acme.generation.json'))).isSymbolicLink(), false);
    assert.deepEqual(await lock.readMarker('acme'), { sessionId: 's', generation: 3 });
  });

  it('keeps path-like names inside the folder', async () => {
    const dir = join(root, 'locks');
    const lock = new FileRefreshLock(dir, { log: new RecordingLogger() });
    await lock.withLock('../../escape', async () =>
      lock.writeMarker('../../escape', { sessionId: 's', generation: 1 }),
    );
    assert.deepEqual((await readdir(root)).sort(), ['locks']);
  });

  it('ignores a marker that is not ours', async () => {
    const dir = join(root, 'locks');
    const lock = new FileRefreshLock(dir, { log: new RecordingLogger() });
    await lock.withLock('acme', async () => undefined);
    for (const junk of ['not json', '{"sessionId":1,"generation":"x"}', '[]']) {
      await writeFile(join(dir, 'acme.generation.json'), junk);
      assert.equal(await lock.readMarker('acme'), undefined, junk);
    }
  });
});
