import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ColdSample {
  requireMs: number;
  activateMs: number;
  activateError?: string;
}

/** One cold `require` + `activate` of the extension in `folder`, in a fresh plain Node process (see coldActivate.cjs). */
export function coldActivate(folder: string, settings: object): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'coldActivate.cjs'), folder], {
      env: { ...process.env, AGENT_AUTH_BENCH_SETTINGS: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line)
        reject(new Error(`cold activation of ${folder} exited ${code}: ${err.trim().slice(-500)}`));
      else resolve(JSON.parse(line) as ColdSample);
    });
  });
}
