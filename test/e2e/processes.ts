import { type ChildProcess, spawn } from 'node:child_process';

/** Keeps the last lines a process printed, for failure messages. */
class Tail {
  private lines: string[] = [];
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  text(n = this.max): string {
    return this.lines.slice(-n).join('\n');
  }
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the output as it comes (setup and packaging are slow enough to want progress). */
  echo?: boolean;
}

/** Runs a command to completion; rejects with the last lines of its output when it fails. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = new Tail(40);
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      tail.push(chunk);
      if (opts.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}:\n${tail.text()}`));
    });
  });
}

export interface Group {
  child: ChildProcess;
  /** The last lines of its stdout and stderr. */
  output(lines?: number): string;
  /** SIGTERM to the whole process group, SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/** Starts a long-running process as the leader of its own process group, so stopping it ends its children too. */
export function startGroup(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Group {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new Tail(200);
  child.stdout.on('data', (c: Buffer) => tail.push(c));
  child.stderr.on('data', (c: Buffer) => tail.push(c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: (n) => tail.text(n),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const late = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(late);
      killGroup(child, 'SIGKILL'); // stragglers whose leader already left
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}
