import type { SecretStore } from '../../src/session/ports.js';

/** SecretStorage's contract in memory, change events included; `entries` lets tests plant and inspect values. */
export class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();
  private readonly listeners = new Set<(key: string) => void>();

  async get(key: string) {
    return this.entries.get(key);
  }
  async store(key: string, value: string) {
    this.entries.set(key, value);
    this.fire(key);
  }
  async delete(key: string) {
    if (this.entries.delete(key)) this.fire(key);
  }
  onDidChange(listener: (key: string) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  private fire(key: string) {
    for (const l of this.listeners) l(key);
  }
}
