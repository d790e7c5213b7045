import type { Logger } from '../../src/protocol/log.js';

/** Keeps every log line so tests can assert on messages and search for planted canaries. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace(m: string) {
    this.lines.push(`trace ${m}`);
  }
  debug(m: string) {
    this.lines.push(`debug ${m}`);
  }
  info(m: string) {
    this.lines.push(`info ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn ${m}`);
  }
  error(m: string) {
    this.lines.push(`error ${m}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}
