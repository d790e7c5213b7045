/**
 * The secrets that guard a local socket: the token helper's per-window nonce and the window
 * handoff's per-folder key. Both are made here and compared here, in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: safe in a header, an env var and a curl config line. */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time check; a wrong length still costs a full comparison so it leaks nothing either. */
export function nonceMatches(expected: string, given: string | undefined): boolean {
  const want = Buffer.from(expected);
  const got = Buffer.from(given ?? '');
  if (got.length !== want.length) {
    timingSafeEqual(want, want);
    return false;
  }
  return timingSafeEqual(want, got);
}
