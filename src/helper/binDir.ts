import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { dirname, join, win32 } from 'node:path';

export const HELPER_NAME = 'agent-auth-token';

/**
 * The client a process should run: the POSIX script (fast path, with the Node client as its
 * fallback), or on Windows the `.cmd` shim that runs the Node client for cmd and PowerShell.
 */
export function helperScript(binDir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? win32.join(binDir, `${HELPER_NAME}.cmd`) : join(binDir, HELPER_NAME);
}

/**
 * The extension's bin/ folder, found by walking up from this module: it is dist/ in the bundle
 * and src/helper/ when run from source.
 */
export function helperBinDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const bin = join(dir, 'bin');
    if (existsSync(join(bin, HELPER_NAME))) return bin;
    if (dirname(dir) === dir) throw new Error(`bin/${HELPER_NAME} not found above ${from}`);
  }
}

/** A VSIX is a zip; whether its unpacker kept the executable bit is not ours to know, so restore it. */
export function ensureExecutable(path: string): void {
  if (process.platform === 'win32') return;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    chmodSync(path, 0o755);
  }
}
