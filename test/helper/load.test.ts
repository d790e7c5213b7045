import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { HOUR, removeToolDirs, runHelper, startHelper, transports, type Helper, type Transport } from './harness.js';

const PROVIDERS = ['p0', 'p1', 'p2', 'p3'];
const tokenOf = (id: string) => `${id}-token-${'x'.repeat(40)}-${id}`;

/**
 * Scans every process's /proc/PID/cmdline in a loop on its own thread, so the scan keeps going
 * while the main thread spawns helpers. Reports command lines holding a secret and how many
 * distinct processes of each program it saw (proof that it was looking while they ran).
 */
const SCANNER = `
const { workerData, parentPort } = require('node:worker_threads');
const { readdirSync, readFileSync } = require('node:fs');
const stop = new Int32Array(workerData.stop);
const leaks = new Set();
const seen = {};
const counted = new Set();
parentPort.postMessage('scanning');
while (Atomics.load(stop, 0) === 0) {
  for (const pid of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    let cmd;
    try { cmd = readFileSync('/proc/' + pid + '/cmdline', 'latin1'); } catch { continue; }
    if (!cmd) continue;
    for (const s of workerData.secrets) if (cmd.includes(s)) leaks.add(cmd.split('\\0').join(' '));
    const argv = cmd.split('\\0');
    const prog = (argv[0] === '/bin/sh' || argv[0] === 'sh' ? argv[1] || argv[0] : argv[0]).split('/').pop();
    if (!counted.has(pid + prog)) { counted.add(pid + prog); seen[prog] = (seen[prog] || 0) + 1; }
  }
}
parentPort.postMessage({ leaks: [...leaks], seen });
`;

interface ScanResult {
  leaks: string[];
  seen: Record<string, number>;
}

async function scanWhile(secrets: string[], work: () => Promise<void>): Promise<ScanResult> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(SCANNER, { eval: true, workerData: { secrets, stop } });
  const started = once(worker, 'message'); // 'scanning': the loop is running
  await started;
  const result = once(worker, 'message');
  try {
    await work();
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
  }
  const [r] = (await result) as [ScanResult];
  await worker.terminate();
  return r;
}

describe('token helper under load', function () {
  this.timeout(120_000);
  let h: Helper;
  let paths: Transport[];
  before(async () => {
    h = await startHelper(
      Object.fromEntries(
        PROVIDERS.map((id) => [
          id,
          { accessToken: tokenOf(id), expiresAt: Date.now() + HOUR, gitHosts: ['example.com'] },
        ]),
      ),
    );
    paths = transports();
  });
  after(async () => {
    await h.server.close();
    removeToolDirs();
  });

  it('200 simultaneous calls each get their own provider’s token', async () => {
    const fast = paths.slice(0, 2); // perl and curl; 200 Node processes at once would only measure memory
    const runs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const id = PROVIDERS[i % PROVIDERS.length];
        return runHelper([id], fast[i % fast.length].env(h.env)).then((r) => ({ id, ...r }));
      }),
    );
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${tokenOf(r.id)}\n`);
    }
  });

  it('no command line ever holds the token or the nonce (200 calls, every client and subcommand)', async () => {
    const nonce = h.server.env.AGENT_AUTH_NONCE;
    const canary = `canary-${nonce.slice(0, 8)}-${Date.now()}`;
    const secrets = [nonce, ...PROVIDERS.map(tokenOf), canary];
    const calls: [string[], string][] = [
      [['p0'], ''],
      [['kubectl', 'p1'], ''],
      [['git-credential', 'p2', 'get'], 'protocol=https\nhost=example.com\n\n'],
      [['exec', '--provider', 'p3', '--', '/bin/sh', '-c', 'printf %s "$P3_TOKEN"'], ''],
    ];
    const failures: string[] = [];
    const scan = await scanWhile(secrets, async () => {
      // The detector must catch a planted leak, or a clean result would mean nothing.
      const planted = spawn('/bin/sh', ['-c', 'sleep 0.3', canary]);
      await once(planted, 'exit');
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < 200; i = next++) {
          const [args, input] = calls[i % calls.length];
          const path = i % 10 === 9 ? paths[2] : paths[i % 2]; // every tenth through Node
          const r = await runHelper(args, path.env(h.env), input);
          if (r.code !== 0 || !r.stdout.includes(tokenOf(`p${i % calls.length}`)))
            failures.push(`${path.name} ${args[0]}: ${r.code} ${r.stderr}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    });
    assert.deepEqual(failures, []);
    assert.ok(
      scan.leaks.some((l) => l.includes(canary)),
      'the scanner missed the planted leak',
    );
    assert.deepEqual(
      scan.leaks.filter((l) => !l.includes(canary)),
      [],
    );
    for (const prog of ['agent-auth-token', 'perl', 'curl', 'node']) {
      assert.ok((scan.seen[prog] ?? 0) > 0, `the scanner never saw ${prog} running: ${JSON.stringify(scan.seen)}`);
    }
  });
});
