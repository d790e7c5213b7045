import type { Clock } from '../ports.js';

/** The schedule re-checks the wall clock at least this often, so sleep or a clock change cannot outrun it. */
export const WALL_CLOCK_CHECK_MS = 30_000;

/**
 * One proactive-refresh timer per provider. `dueAt` says when (epoch ms) the next refresh should
 * start, or undefined for none (not signed in, a refresh already running); `fire` starts it. Timers
 * stall while the machine sleeps, so a long wait is cut into pieces of at most 30 s, each of which
 * looks at the wall clock again.
 */
export class RefreshScheduler {
  private readonly timers = new Map<string, unknown>();
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly dueAt: (id: string) => number | undefined,
    private readonly fire: (id: string) => void,
  ) {}

  /** (Re-)arms the timer of `id` from what `dueAt` says now; fires at once when it is already due. */
  arm(id: string): void {
    this.disarm(id);
    if (this.disposed) return;
    const at = this.dueAt(id);
    if (at === undefined) return;
    const delay = at - this.clock.now();
    if (delay <= 0) {
      this.fire(id);
      return;
    }
    this.timers.set(
      id,
      this.clock.setTimeout(() => this.arm(id), Math.min(delay, WALL_CLOCK_CHECK_MS)),
    );
  }

  disarm(id: string): void {
    const t = this.timers.get(id);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(id);
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys()]) this.disarm(id);
  }
}
