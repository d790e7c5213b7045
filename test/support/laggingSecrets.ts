import type { SecretStore } from '../../src/session/ports.js';

interface Version {
  value: string | undefined;
  writer: number;
  at: number;
}

/**
 * One keychain seen by several windows, each through its own view, where a window sees another
 * window's write only `lagMs` after it happened (and hears of it then), but its own at once:
 * how SecretStorage changes travel between VS Code windows, slowed down so a test can hit the gap.
 */
export class LaggingSecrets {
  private readonly versions = new Map<string, Version[]>();
  private readonly views: { id: number; listeners: Set<(key: string) => void> }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly lagMs: number) {}

  /** A window's SecretStorage. */
  view(): SecretStore {
    const me = { id: this.views.length, listeners: new Set<(key: string) => void>() };
    this.views.push(me);
    return {
      get: async (key) => this.visible(key, me.id),
      store: async (key, value) => this.write(key, value, me.id),
      delete: async (key) => this.write(key, undefined, me.id),
      onDidChange: (listener) => {
        me.listeners.add(listener);
        return { dispose: () => me.listeners.delete(listener) };
      },
    };
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private visible(key: string, viewer: number): string | undefined {
    const now = Date.now();
    const seen = (this.versions.get(key) ?? []).filter((v) => v.writer === viewer || v.at + this.lagMs <= now);
    return seen.at(-1)?.value;
  }

  private write(key: string, value: string | undefined, writer: number): void {
    const list = this.versions.get(key) ?? [];
    list.push({ value, writer, at: Date.now() });
    this.versions.set(key, list);
    for (const v of this.views) {
      const notify = () => v.listeners.forEach((l) => l(key));
      if (v.id === writer) {
        notify();
        continue;
      }
      const t = setTimeout(() => {
        this.timers.delete(t);
        notify();
      }, this.lagMs);
      this.timers.add(t);
    }
  }
}
