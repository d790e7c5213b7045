import { createHash } from 'node:crypto';

/** The subset of VS Code's LogOutputChannel the core layers use; tests pass a recorder. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Tokens appear in logs only as this: enough to correlate, useless to an attacker. */
export function fingerprint(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret).digest('hex').slice(0, 12);
}
