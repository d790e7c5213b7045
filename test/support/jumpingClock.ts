import { type Clock, systemClock } from '../../src/session/ports.js';

/**
 * The system clock with a settable offset: `jump` moves now() forward at once, as after the
 * machine slept, while pending timers keep real time and fire no earlier (as they do after sleep).
 */
export class JumpingClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  jump(ms: number): void {
    this.offsetMs += ms;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return systemClock.setTimeout(fn, ms);
  }

  clearTimeout(handle: unknown): void {
    systemClock.clearTimeout(handle);
  }
}
