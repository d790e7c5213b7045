import { randomUUID } from 'node:crypto';
import { type FSWatcher, mkdirSync, watch } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../../src/session/ports.js';

const KEY_FILE = 'k_';
const TMP_FILE = 't_';

/**
 * SecretStorage shared by several processes, as VS Code windows share the OS keychain: one file
 * per key in a user-only folder, replaced atomically (write a temp file, rename), and change
 * events from fs.watch, so a write by any process reaches every process's listeners, its own
 * included. Test-only: it holds test IdP tokens in a temporary folder the tests remove.
 */
export class DirSecretStore implements SecretStore {
  private readonly listeners = new Set<(key: string) => void>();
  private readonly watcher: FSWatcher;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.watcher = watch(dir, (_event, name) => {
      if (name?.startsWith(KEY_FILE)) this.fire(decodeURIComponent(name.slice(KEY_FILE.length)));
    });
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async store(key: string, value: string): Promise<void> {
    const tmp = join(this.dir, `${TMP_FILE}${randomUUID()}`);
    await writeFile(tmp, value, { flag: 'wx', mode: 0o600 });
    await rename(tmp, this.path(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  onDidChange(listener: (key: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  close(): void {
    this.watcher.close();
    this.listeners.clear();
  }

  private path(key: string): string {
    return join(this.dir, KEY_FILE + encodeURIComponent(key));
  }

  private fire(key: string): void {
    for (const l of this.listeners) l(key);
  }
}
