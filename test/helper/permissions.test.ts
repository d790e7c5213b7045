import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultRuntimeDir } from '../../src/ipc/runtimeDir.js';
import { deadSocket, HOUR, runHelper, startHelper, type Helper } from './harness.js';

const tokens = { acme: { accessToken: 'perm-token', expiresAt: Date.now() + HOUR } };
const mode = (p: string) => lstatSync(p).mode & 0o777;

describe('token helper socket and folder', () => {
  let root: string;
  let open: Helper[] = [];
  const started = async (h: Promise<Helper>) => {
    open.push(await h);
    return open.at(-1)!;
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'aa-'))));
  afterEach(async () => {
    await Promise.all(open.map((h) => h.server.close()));
    open = [];
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the folder 0700 and the socket 0600, and removes the socket on close', async () => {
    const dir = join(root, 'run', 'agent-auth');
    const h = await started(startHelper(tokens, dir));
    const sock = h.server.env.AGENT_AUTH_IPC;
    assert.equal(dirname(sock), dir);
    assert.equal(mode(dir), 0o700);
    assert.ok(lstatSync(sock).isSocket());
    assert.equal(mode(sock), 0o600);
    assert.ok(Buffer.byteLength(sock) <= 100);
    assert.match(h.server.env.AGENT_AUTH_NONCE, /^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    assert.equal((await runHelper([], h.env)).stdout, 'perm-token\n');
    await h.server.close();
    assert.ok(!existsSync(sock));
  });

  it('gives every window its own socket and nonce', async () => {
    const dir = join(root, 'shared');
    const [a, b] = await Promise.all([started(startHelper(tokens, dir)), started(startHelper(tokens, dir))]);
    assert.notEqual(a.server.env.AGENT_AUTH_IPC, b.server.env.AGENT_AUTH_IPC);
    assert.notEqual(a.server.env.AGENT_AUTH_NONCE, b.server.env.AGENT_AUTH_NONCE);
    // One window's nonce does not open another window's socket.
    const crossed = await runHelper([], { ...a.env, AGENT_AUTH_NONCE: b.server.env.AGENT_AUTH_NONCE });
    assert.equal(crossed.code, 1);
    assert.equal(crossed.stdout, '');
  });

  it('refuses a folder that is a symlink, even to a good folder', async () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(root, 'link'));
    await assert.rejects(startHelper(tokens, join(root, 'link')), /symbolic link/);
    assert.deepEqual(readdirSync(real), []);
  });

  it('refuses a folder that others can enter', async () => {
    for (const m of [0o750, 0o705, 0o777]) {
      const dir = join(root, `open-${m.toString(8)}`);
      mkdirSync(dir);
      chmodSync(dir, m);
      await assert.rejects(startHelper(tokens, dir), /other users can access it/);
      assert.deepEqual(readdirSync(dir), []);
    }
  });

  it('refuses a folder owned by another user', async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can hand a folder to someone else
    const dir = join(root, 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    await assert.rejects(startHelper(tokens, dir), /belongs to user 65534/);
  });

  it('refuses a folder whose socket path would not fit in sun_path', async () => {
    await assert.rejects(startHelper(tokens, join(root, 'x'.repeat(90))), /longer than 100 bytes/);
  });

  it('sweeps sockets of crashed windows, and only those', async () => {
    const dir = join(root, 'run');
    const alive = await started(startHelper(tokens, dir));
    const old = new Date(Date.now() - 60_000);
    const crashed = join(dir, '0123456789abcdef.sock');
    const youngCrashed = join(dir, '1123456789abcdef.sock');
    const notOurs = join(dir, 'other.sock');
    const plainFile = join(dir, '2123456789abcdef.sock');
    for (const p of [crashed, youngCrashed, notOurs]) await deadSocket(p);
    writeFileSync(plainFile, '');
    for (const p of [crashed, notOurs, plainFile, alive.server.env.AGENT_AUTH_IPC]) utimesSync(p, old, old);

    const next = await started(startHelper(tokens, dir));
    assert.ok(!existsSync(crashed), 'a dead socket of ours is removed');
    for (const p of [youngCrashed, notOurs, plainFile, alive.server.env.AGENT_AUTH_IPC])
      assert.ok(existsSync(p), `${p} is kept`);
    assert.ok(
      next.log.lines.includes(`info Token helper: removed 1 socket(s) of closed windows from ${dir}`),
      next.log.lines.join('\n'),
    );
    assert.equal((await runHelper([], alive.env)).stdout, 'perm-token\n', 'the live window still answers');
  });

  it('falls back to a fresh private folder (mkdtemp) when another user squats the default one', async () => {
    const squats: [string, (d: string) => void][] = [['open to others', (d) => chmodSync(d, 0o777)]];
    if (process.getuid?.() === 0) squats.push(['owned by another user', (d) => chownSync(d, 65534, 65534)]);
    const saved = process.env.XDG_RUNTIME_DIR;
    try {
      for (const [what, squat] of squats) {
        const runtime = mkdtempSync(join(root, 'xdg-'));
        const squatted = join(runtime, 'agent-auth');
        mkdirSync(squatted, { mode: 0o700 });
        squat(squatted);
        process.env.XDG_RUNTIME_DIR = runtime;
        const h = await startHelper(tokens); // no dir: the default, as the extension does
        const sock = h.server.env.AGENT_AUTH_IPC;
        const fresh = dirname(sock);
        assert.notEqual(fresh, squatted, what);
        assert.match(
          fresh,
          new RegExp(`^${tmpdir().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/agent-auth-[A-Za-z0-9]{6}$`),
          fresh,
        );
        assert.equal(mode(fresh), 0o700);
        assert.equal(lstatSync(fresh).uid, process.getuid!());
        assert.deepEqual(readdirSync(squatted), [], `nothing of ours in a folder ${what}`);
        assert.ok(
          h.log.lines.some((l) => l.startsWith('warn ') && l.includes(fresh)),
          h.log.lines.join('\n'),
        );
        assert.equal((await runHelper([], h.env)).stdout, 'perm-token\n');
        await h.server.close();
        assert.ok(!existsSync(fresh), 'the fresh folder goes with the window');
      }
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it('defaults to $XDG_RUNTIME_DIR/agent-auth, else a per-user folder in the temp dir', () => {
    assert.equal(defaultRuntimeDir({ XDG_RUNTIME_DIR: root }), join(root, 'agent-auth'));
    assert.equal(
      defaultRuntimeDir({ XDG_RUNTIME_DIR: join(root, 'missing') }),
      join(tmpdir(), `agent-auth-${process.getuid!()}`),
    );
    assert.equal(defaultRuntimeDir({}), join(tmpdir(), `agent-auth-${process.getuid!()}`));
  });
});
