import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Searching for secrets where they must never be: files, process argv, text. */

/** Each place in `text` that holds one of `secrets`, named without revealing it. */
export function findSecrets(secrets: Iterable<string>, place: string, text: string): string[] {
  return [...secrets].filter((v) => text.includes(v)).map((v) => `${place} holds a secret ending …${v.slice(-4)}`);
}

/** Every regular file under `dir`, as text (latin1: binary databases are searched byte for byte). */
export function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile())
    .map((path) => {
      try {
        return { path, text: readFileSync(path, 'latin1') };
      } catch {
        return { path, text: '' }; // removed or unreadable meanwhile (a socket, a lock)
      }
    });
}

/** Every process's argv on this machine, sampled from /proc until stopped (Linux only). */
export class ArgvWatch {
  static readonly supported = existsSync('/proc/self/cmdline');
  private readonly seen = new Set<string>();
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(intervalMs = 2) {
    this.done = (async () => {
      while (!this.stopped) {
        for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
          try {
            this.seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
          } catch {
            // exited meanwhile
          }
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }

  /** All argv seen so far, one per line. */
  text(): string {
    return [...this.seen].join('\n');
  }

  async stop(): Promise<string> {
    this.stopped = true;
    await this.done;
    return this.text();
  }
}
