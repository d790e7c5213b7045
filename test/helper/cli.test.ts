import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clients,
  deadSocket,
  HOUR,
  removeToolDirs,
  runHelper as run,
  startHelper,
  type Client,
  type Helper,
} from './harness.js';

const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhY21lIn0.c2lnbmF0dXJl';
const acme = {
  accessToken: 'acme-AT.0123456789_abc-DEF~+/=',
  expiresAt: Date.now() + HOUR,
  envVar: 'ACME_TOKEN',
  idToken: { token: ID_TOKEN, expiresAt: Date.now() + HOUR / 2 },
  gitHosts: ['git.example.com', '127.0.0.1:8080'],
};
const beta = { accessToken: 'beta-AT-9876543210', expiresAt: Date.now() + 2 * HOUR, envVar: 'BETA_CORP_TOKEN' };
const CLOSED = 'Agent Auth: the VS Code window that opened this terminal is closed; open a new terminal.\n';

describe('agent-auth-token (real server, real CLI)', function () {
  // Each case starts a few processes; on a loaded 2-core machine the Node client takes a second to start.
  this.timeout(60_000);
  it('both clients print the same usage', async () => {
    const [posix, node] = await Promise.all(clients().map((c) => run(['--help'], process.env, '', c)));
    assert.equal(posix.code, 0);
    assert.deepEqual(node, { ...posix, pid: node.pid });
  });

  for (const client of clients()) describe(client.name, () => cliSuite(client));
});

function cliSuite(client: Client) {
  let two: Helper;
  let one: Helper;
  before(async () => {
    two = await startHelper({ acme, 'beta.corp': beta });
    one = await startHelper({ acme });
  });
  after(async () => {
    await two.server.close();
    await one.server.close();
    removeToolDirs();
  });
  const runHelper = (args: string[], env: NodeJS.ProcessEnv, input = '') => run(args, env, input, client);

  it('--help prints the usage and exits 0', async () => {
    const r = await runHelper(['--help'], two.env);
    assert.equal(r.code, 0);
    for (const s of ['git-credential', 'kubectl', 'exec [--provider PROVIDER]'])
      assert.match(r.stdout, new RegExp(s.replace(/[[\]]/g, '\\$&')));
  });

  it('rejects bad usage with exit 2 before asking the window', async () => {
    const cases = [
      ['--bogus'],
      ['acme', 'extra'],
      ['bad id!'],
      ['git-credential'],
      ['exec', '--provider', 'acme'],
      ['kubectl', '--provider'],
      ['git-credential', '--id-token', 'acme', 'get'],
      ['exec', '--id-token', '--', 'true'],
    ];
    for (const args of cases) {
      const r = await runHelper(args, two.env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /agent-auth-token: /);
    }
    assert.deepEqual(two.source.calls, []);
  });

  it('says so when the shell was not opened by VS Code', async () => {
    // Nor does any window serve the user-wide socket (the runtime folder is empty).
    const runtime = mkdtempSync(join(tmpdir(), 'agent-auth-xdg-'));
    const env: NodeJS.ProcessEnv = { ...two.env, XDG_RUNTIME_DIR: runtime };
    delete env.AGENT_AUTH_IPC;
    const r = await runHelper([], env);
    rmSync(runtime, { recursive: true });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /not opened by VS Code with Agent Auth/);
  });

  for (const t of client.transports()) {
    describe(`via ${t.name}`, () => {
      const env = (h: Helper, extra: NodeJS.ProcessEnv = {}) => ({ ...t.env(h.env), ...extra });

      it('prints the named provider’s token, positional or --provider', async () => {
        for (const args of [['acme'], ['--provider', 'beta.corp'], ['--provider=acme']]) {
          const r = await runHelper(args, env(two));
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, `${args.some((a) => a.includes('beta')) ? beta.accessToken : acme.accessToken}\n`);
          assert.equal(r.stderr, '');
        }
      });

      it('an account reference (provider@account) reaches the extension intact, "+" and "@" included', async () => {
        const ref = 'acme@x.y+z@example.com';
        const r = await runHelper(['--provider', ref], env(one));
        assert.equal(r.code, 1, r.stderr);
        assert.equal(one.source.calls.at(-1), ref);
        assert.equal(r.stderr, `Agent Auth: not signed in to '${ref}'. Run 'Agent Auth: Sign In'.\n`);
        const bad = await runHelper(['--provider', 'acme@a b'], env(one));
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /is not a provider id \(optionally @account\)/);
      });

      it('without a provider: the only signed-in one, or the list when there are several', async () => {
        const single = await runHelper([], env(one));
        assert.equal(single.code, 0, single.stderr);
        assert.equal(single.stdout, `${acme.accessToken}\n`);
        assert.equal(one.source.calls.at(-1), undefined);

        const ambiguous = await runHelper([], env(two));
        assert.equal(ambiguous.code, 1);
        assert.equal(ambiguous.stdout, '');
        assert.equal(ambiguous.stderr, 'Agent Auth: Several providers are signed in; name one of: acme, beta.corp.\n');
      });

      it('a signed-out provider: the reason on stderr, exit 1, nothing on stdout', async () => {
        const r = await runHelper(['gamma'], env(two));
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, "Agent Auth: not signed in to 'gamma'. Run 'Agent Auth: Sign In'.\n");
      });

      it('git-credential get answers in git’s credential format; store and erase do nothing', async () => {
        const get = await runHelper(
          ['git-credential', 'acme', 'get'],
          env(two),
          'protocol=https\nhost=git.example.com\npath=org/repo.git\n\n',
        );
        assert.equal(get.code, 0, get.stderr);
        assert.equal(
          get.stdout,
          `username=oauth2\npassword=${acme.accessToken}\npassword_expiry_utc=${Math.floor(acme.expiresAt / 1000)}\n`,
        );
        const calls = two.source.calls.length;
        for (const action of ['store', 'erase']) {
          const r = await runHelper(
            ['git-credential', 'acme', action],
            env(two),
            `protocol=https\nhost=x\nusername=oauth2\npassword=${acme.accessToken}\n`,
          );
          assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
        }
        assert.equal(two.source.calls.length, calls, 'store/erase must not ask for a token');
      });

      it('git-credential gives no password to another host, another protocol or plain http off loopback', async () => {
        const ask = (attrs: string) =>
          runHelper(['git-credential', 'acme', 'get'], env(two), `${attrs}\npath=org/repo.git\n\n`);
        for (const [attrs, why] of [
          ['protocol=https\nhost=evil.example', /acme gives its token only to git\.example\.com, 127\.0\.0\.1:8080/],
          ['protocol=https\nhost=git.example.com.evil.example', /gives its token only to/],
          ['protocol=https\nhost=git.example.com:8443', /gives its token only to/],
          ['protocol=http\nhost=git.example.com', /plain http only on a loopback host/],
          ['protocol=ssh\nhost=git.example.com', /only over https/],
          ['protocol=https\nhost=user@git.example.com', /no usable host|not a host name/],
          ['protocol=https', /no usable host/],
          ['host=git.example.com', /no usable protocol/],
        ] as const) {
          const r = await ask(attrs);
          assert.equal(r.stdout, '', `${attrs}: no password`);
          assert.equal(r.code, 1, attrs);
          assert.match(r.stderr, why, attrs);
        }
        const loopback = await ask('protocol=http\nhost=127.0.0.1:8080');
        assert.equal(loopback.code, 0, loopback.stderr);
        assert.match(loopback.stdout, /^username=oauth2\npassword=/);
        const defaultPort = await ask('protocol=https\nhost=GIT.example.com:443');
        assert.equal(defaultPort.code, 0, defaultPort.stderr);
      });

      it('kubectl prints an ExecCredential (v1, or v1beta1 when kubectl asks for it)', async () => {
        const r = await runHelper(['kubectl', 'beta.corp'], env(two));
        assert.equal(r.code, 0, r.stderr);
        const cred = JSON.parse(r.stdout);
        assert.equal(cred.apiVersion, 'client.authentication.k8s.io/v1');
        assert.equal(cred.kind, 'ExecCredential');
        assert.equal(cred.status.token, beta.accessToken);
        assert.match(cred.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(Date.parse(cred.status.expirationTimestamp), Math.floor(beta.expiresAt / 1000) * 1000);

        const info = JSON.stringify({
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          kind: 'ExecCredential',
          spec: { interactive: false },
        });
        const old = await runHelper(['kubectl', 'beta.corp'], env(two, { KUBERNETES_EXEC_INFO: info }));
        assert.equal(JSON.parse(old.stdout).apiVersion, 'client.authentication.k8s.io/v1beta1');
      });

      it(`exec gives the token to the command only${client.execReplacesItself ? ', in the same process' : ''}`, async () => {
        const r = await runHelper(
          ['exec', '--provider', 'acme', '--', '/bin/sh', '-c', 'printf "%s %s" "$$" "$ACME_TOKEN"'],
          env(two),
        );
        assert.equal(r.code, 0, r.stderr);
        const [pid, token] = r.stdout.split(' ');
        assert.equal(token, acme.accessToken);
        if (client.execReplacesItself) assert.equal(pid, String(r.pid), 'the command must replace the helper (exec)');

        // The shell that ran the helper never sees the variable; the command's exit status is the helper's.
        const script =
          '"$@" exec --provider beta.corp -- /bin/sh -c \'printf "child=%s " "$BETA_CORP_TOKEN"; exit 7\'; printf "status=%s parent=%s" "$?" "${BETA_CORP_TOKEN-unset}"';
        const out = await shell(script, client.argv, env(two));
        assert.equal(out, `child=${beta.accessToken} status=7 parent=unset`);
      });

      it('--id-token prints the ID token, alone or as the ExecCredential token; none issued: exit 1 and why', async () => {
        const r = await runHelper(['--id-token', 'acme'], env(two));
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${ID_TOKEN}\n`, '']);
        const k = await runHelper(['kubectl', '--id-token', '--provider', 'acme'], env(two));
        assert.equal(k.code, 0, k.stderr);
        const cred = JSON.parse(k.stdout);
        assert.equal(cred.status.token, ID_TOKEN);
        assert.equal(
          Date.parse(cred.status.expirationTimestamp),
          Math.floor(acme.idToken.expiresAt / 1000) * 1000,
          'the ID token’s own expiry',
        );
        const none = await runHelper(['--id-token', 'beta.corp'], env(two));
        assert.deepEqual([none.code, none.stdout, none.stderr], [1, '', 'Agent Auth: beta.corp issued no ID token.\n']);
      });

      it('exec fails without running the command when there is no token', async () => {
        const r = await runHelper(['exec', '--provider', 'gamma', '--', '/bin/sh', '-c', 'echo ran'], env(two));
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /not signed in to 'gamma'/);
      });

      it('a wrong nonce gets a refusal, never a token', async () => {
        for (const nonce of ['A'.repeat(43), 'short', 'B'.repeat(200)]) {
          const r = await runHelper(['acme'], env(two, { AGENT_AUTH_NONCE: nonce }));
          assert.equal(r.code, 1, r.stderr);
          assert.equal(r.stdout, '');
          assert.match(r.stderr, /wrong or missing nonce/);
        }
      });

      it('a closed window: the socket is gone, or nobody listens on it', async () => {
        const gone = await startHelper({ acme });
        await gone.server.close();
        const r = await runHelper(['acme'], env(gone));
        assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', CLOSED]);

        const dir = mkdtempSync(join(tmpdir(), 'agent-auth-dead-'));
        try {
          await deadSocket(join(dir, 'crashed.sock'));
          const dead = await runHelper(['acme'], env(gone, { AGENT_AUTH_IPC: join(dir, 'crashed.sock') }));
          assert.deepEqual([dead.code, dead.stdout, dead.stderr], [3, '', CLOSED]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
}

function shell(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('/bin/sh', ['-c', script, 'sh', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', () => resolve(out));
  });
}
