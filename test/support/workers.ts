import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { ProviderConfig, RefreshSettings } from '../../src/session/config/config.js';
import type { GetTokenOptions } from '../../src/session/tokenService.js';

export interface WorkerInit {
  op: 'init';
  storeDir: string;
  lockDir: string;
  provider: ProviderConfig;
  staleMs?: number;
  timeoutMs?: number;
  settings?: RefreshSettings;
}

export type WorkerRequest =
  | { op: 'get'; id: number; providerId: string; opts?: GetTokenOptions }
  | { op: 'refreshNow'; id: number; providerId: string }
  | { op: 'exit' };

export type WorkerReply =
  | { id: number; ok: true; token?: { sha256: string; expiresAt: number }; at?: number }
  | { id: number; ok: false; error: { name: string; code?: string; message: string }; at: number };

const WORKER = join(__dirname, '..', 'session', 'worker.ts');

/** A child process running test/session/worker.ts: one more "window" on the shared store and lock folder. */
export class Worker {
  private nextId = 1;
  private readonly pending = new Map<number, (r: WorkerReply) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (r: WorkerReply) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(init: Omit<WorkerInit, 'op'>): Promise<Worker> {
    const child = fork(WORKER, [], {
      execArgv: ['--require', require.resolve('tsx/cjs')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w = new Worker(child);
    const ready = new Promise<WorkerReply>((resolve) => w.pending.set(0, resolve));
    child.send({ op: 'init', ...init } satisfies WorkerInit);
    await Promise.race([
      ready,
      w.exited.then((x) => Promise.reject(new Error(`worker exited early: ${JSON.stringify(x)}`))),
    ]);
    return w;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get(providerId: string, opts?: GetTokenOptions): Promise<WorkerReply> {
    return this.call({ op: 'get', id: this.nextId++, providerId, opts });
  }

  /** A forced refresh; the promise rejects if the worker dies first (as when a test kills it). */
  refreshNow(providerId: string): Promise<WorkerReply> {
    return this.call({ op: 'refreshNow', id: this.nextId++, providerId });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected)
      this.child.send({ op: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(timer);
  }

  private call(req: Exclude<WorkerRequest, { op: 'exit' }>): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, resolve);
      void this.exited.then((x) =>
        reject(new Error(`worker ${this.pid} exited (${x.signal ?? x.code}) before answering`)),
      );
      this.child.send(req);
    });
  }
}
