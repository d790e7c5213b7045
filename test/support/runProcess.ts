import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/**
 * Runs `argv` to its end and collects its output, asynchronously (the servers these processes talk
 * to often live in the calling process). `input` goes to its stdin, which is closed after it.
 */
export function runProcess(
  argv: string[],
  o: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: o.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, pid: child.pid! }));
    child.stdin.on('error', () => {}); // a process may exit before reading all its input
    child.stdin.end(o.input ?? '');
  });
}
