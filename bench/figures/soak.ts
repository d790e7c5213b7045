import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_REFRESH } from '../../src/session/config/config.js';
import { refreshLeadMs } from '../../src/session/refresh/refreshPolicy.js';
import { startTestIdp } from '../../test/fixtures/idp.js';
import { DirSecretStore } from '../../test/support/dirSecretStore.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, tempDir } from '../../test/support/lifecycle.js';
import { type FigureResult, row } from '../report.js';
import type { FromWindow, SoakReport, StartMessage } from '../soak/protocol.js';

const PROCESSES = 2;
const TTL_S = 10;
const INTERVAL_MS = 100;
/**
 * The "start" sample is taken after a tenth of the soak (10-60 s): V8 keeps compiling hot code and
 * Node fills its 250-entry resource-timing buffer (one entry per fetch) during the first minute,
 * growth that stops by itself.
 */
const warmupMs = (minutes: number) => Math.min(60_000, Math.max(10_000, minutes * 6_000));

/**
 * Figure 6. Two extension-host-like processes (bench/soak/window.ts), each with its own
 * TokenService on one directory-backed store and one lock folder, against the real provider
 * (10 s access tokens, rotation on) for `minutes`, consumers asking every 100 ms. The peer for
 * the refresh count is what one process's schedule alone would do in that time.
 */
export async function soakFigure(minutes: number): Promise<FigureResult> {
  const idp = await startTestIdp({ accessTokenTtl: TTL_S, rotateRefreshTokens: true });
  const storeDir = tempDir('agent-auth-bench-store-');
  const lockDir = tempDir('agent-auth-bench-lock-');
  const windows: SoakWindow[] = [];
  try {
    const secrets = new DirSecretStore(storeDir);
    const first = lifecycleWindow([idpProvider(idp)], { secrets, lockDir });
    await signInThroughIdp(first.service, 'dev', idp);
    first.service.dispose();
    secrets.close();
    idp.stats.reset();

    const start: Omit<StartMessage, 'op'> = {
      storeDir,
      lockDir,
      provider: idpProvider(idp),
      issuer: idp.issuer,
      clientId: idp.clientId,
      intervalMs: INTERVAL_MS,
      warmupMs: warmupMs(minutes),
    };
    windows.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => SoakWindow.start(start)))));
    const began = Date.now();
    const endAt = began + minutes * 60_000;
    for (let next = began + 60_000; next < endAt; next += 60_000) {
      await sleep(next - Date.now());
      console.log(
        `  soak: ${(next - began) / 60_000}/${minutes} min, ${idp.stats.grants.refresh_token ?? 0} refreshes so far`,
      );
    }
    await sleep(endAt - Date.now());
    const reports = await Promise.all(windows.map((w) => w.stop()));
    const elapsedMs = Date.now() - began;

    const refreshes = idp.stats.grants.refresh_token ?? 0;
    const doubles = idp.stats.doubleRedemptions();
    const sum = (f: (r: SoakReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    const badTokens = sum((r) => r.expired + r.inactiveAtIdp);
    const handedOut = sum((r) => r.calls);
    const errors = sum((r) => r.errors);
    // What one process's schedule does alone: a refresh every (lifetime - lead).
    const oneProcess = elapsedMs / (TTL_S * 1000 - refreshLeadMs(TTL_S * 1000, 0, DEFAULT_REFRESH));
    const worst = (f: (r: SoakReport) => number) => reports.reduce((a, b) => (f(b) > f(a) ? b : a));
    const rss = worst((r) => r.end.rssMb / r.start.rssMb);
    const handles = worst((r) => r.end.handles - r.start.handles);
    const label = `${PROCESSES} processes × ${minutes} min`;
    return {
      rows: [
        row({
          figure: `6a Soak ${label}: refreshes at the provider (vs one process's schedule alone)`,
          ours: refreshes,
          peer: oneProcess,
          goal: 'ratio ≤ 1.25',
          check: (x, p) => x / p! <= 1.25,
          runs: 1,
        }),
        row({ figure: '6b Soak: double redemptions', ours: doubles, goal: '= 0', check: (x) => x === 0, runs: 1 }),
        row({
          figure: `6c Soak: expired or dead tokens seen by consumers (of ${handedOut})`,
          ours: badTokens,
          goal: '= 0',
          check: (x) => x === 0,
          runs: 1,
        }),
        row({ figure: '6d Soak: consumer errors', ours: errors, goal: '= 0', check: (x) => x === 0, runs: 1 }),
        row({
          figure: '6e Soak: RSS MB at end (vs after warm-up), worst process',
          ours: rss.end.rssMb,
          peer: rss.start.rssMb,
          goal: 'ratio ≤ 1.10',
          check: (x, p) => x / p! <= 1.1,
          runs: 1,
        }),
        row({
          figure: '6f Soak: active handles at end (vs after warm-up), worst process',
          ours: handles.end.handles,
          peer: handles.start.handles,
          goal: 'end ≤ start',
          check: (x, p) => x <= p!,
          runs: 1,
        }),
      ],
      invariants: [
        {
          name: 'no refresh token redeemed twice (soak)',
          ok: doubles === 0 && idp.stats.grantsRevokedForReuse === 0,
          detail: `${doubles} double redemptions, ${idp.stats.grantsRevokedForReuse} grants revoked for reuse`,
        },
        {
          name: 'no expired or dead token handed to a consumer (soak)',
          ok: badTokens === 0,
          detail: `${sum((r) => r.expired)} expired, ${sum((r) => r.inactiveAtIdp)} inactive at the IdP, of ${handedOut} handed out (${sum((r) => r.tokens)} distinct tokens introspected)`,
        },
      ],
      details: { elapsedMs, refreshes, reports },
    };
  } finally {
    await Promise.all(windows.map((w) => w.kill()));
    await idp.close();
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** A forked bench/soak/window.ts. */
class SoakWindow {
  private readonly exited: Promise<void>;
  private report?: (r: SoakReport) => void;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(m: Omit<StartMessage, 'op'>): Promise<SoakWindow> {
    const child = fork(join(__dirname, '..', 'soak', 'window.ts'), [], {
      execArgv: ['--require', require.resolve('tsx/cjs'), '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w = new SoakWindow(child);
    const ready = new Promise<void>((resolve) =>
      child.on('message', (msg: FromWindow) => (msg.op === 'ready' ? resolve() : w.report?.(msg))),
    );
    child.send({ op: 'start', ...m } satisfies StartMessage);
    await Promise.race([
      ready,
      w.exited.then(() => Promise.reject(new Error('a soak process exited before it was ready'))),
    ]);
    return w;
  }

  stop(): Promise<SoakReport> {
    const report = new Promise<SoakReport>((resolve, reject) => {
      this.report = resolve;
      void this.exited.then(() => reject(new Error(`soak process ${this.child.pid} exited without a report`)));
    });
    this.child.send({ op: 'stop' });
    return report;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const late = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(late);
    }
  }
}
