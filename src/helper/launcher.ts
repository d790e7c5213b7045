import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, win32 } from 'node:path';
import { HELPER_NAME } from './binDir.js';

/**
 * "Agent Auth: Install Token Helper on PATH": a small launcher in the user's bin directory that
 * runs `agent-auth-token` of the newest Agent Auth in the extensions folder, so updating the
 * extension (a new versioned folder) does not break it. Free of `vscode`.
 */

/** The first line after the interpreter line: how the launcher knows a file is its own. */
export const LAUNCHER_MARK = 'agent-auth-token launcher, written by "Agent Auth: Install Token Helper on PATH"';

/** ~/.local/bin/agent-auth-token on Linux and macOS; %LOCALAPPDATA%\agent-auth\bin\agent-auth-token.cmd on Windows (not on PATH by default). */
export function launcherPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'win32')
    return win32.join(
      env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'),
      'agent-auth',
      'bin',
      `${HELPER_NAME}.cmd`,
    );
  return join(home, '.local', 'bin', HELPER_NAME);
}

/** The launcher for extensions in `extensionsDir` (folders `<extensionId>-<version>[-<target>]`). */
export function launcherScript(platform: NodeJS.Platform, extensionsDir: string, extensionId: string): string {
  if (platform === 'win32') {
    // cmd has no version sort: among the folders, the last in name order wins (untested on Windows).
    return [
      '@echo off',
      `rem ${LAUNCHER_MARK}`,
      'setlocal',
      'set "AA_BIN="',
      `for /d %%D in ("${extensionsDir}\\${extensionId}-*") do if exist "%%D\\bin\\${HELPER_NAME}.cmd" set "AA_BIN=%%D\\bin\\${HELPER_NAME}.cmd"`,
      'if not defined AA_BIN (echo Agent Auth: no Agent Auth extension in ' +
        extensionsDir +
        '; reinstall it or remove this launcher. 1>&2 & exit /b 3)',
      'endlocal & call "%AA_BIN%" %*',
      '',
    ].join('\r\n');
  }
  const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;
  return `#!/bin/sh
# ${LAUNCHER_MARK}
# Runs ${HELPER_NAME} of the newest ${extensionId} in the extensions folder below. Remove this file to undo.
dir=${q(extensionsDir)}
best=
for d in "$dir"/${extensionId}-*/; do
  [ -x "$d"bin/${HELPER_NAME} ] && best="$best\${best:+
}\${d%/}"
done
if [ -z "$best" ]; then
  printf 'Agent Auth: no Agent Auth extension in %s; reinstall it, or remove %s.\\n' "$dir" "$0" >&2
  exit 3
fi
# The version follows the id: sort its numeric fields (1.10.0 after 1.9.0).
newest=$(printf '%s\\n' "$best" | sed 's|.*/${extensionId}-||' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
exec "$dir/${extensionId}-$newest/bin/${HELPER_NAME}" "$@"
`;
}

export class NotOurFileError extends Error {}

/**
 * Writes the launcher at `target` (creating its folder), replacing only a launcher this command
 * wrote earlier. Returns whether it replaced one.
 */
export function installLauncher(
  target: string,
  script: string,
  platform: NodeJS.Platform = process.platform,
): { replaced: boolean } {
  const st = lstatSync(target, { throwIfNoEntry: false });
  if (st) {
    if (!st.isFile())
      throw new NotOurFileError(`${target} exists and is not a file written by Agent Auth; remove it first.`);
    if (!readFileSync(target, 'utf8').includes(LAUNCHER_MARK)) {
      throw new NotOurFileError(
        `${target} exists and was not written by Agent Auth; it is left alone. Remove or rename it first.`,
      );
    }
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, script, { mode: 0o755 });
  if (platform !== 'win32') chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return { replaced: !!st };
}
