import { statSync } from 'node:fs';
import { win32 } from 'node:path';

/**
 * How to start a task's command on this platform. On Windows, agents installed with npm are
 * `.cmd` shims (`claude.cmd`, `codex.cmd`): Node's spawn finds only `.exe`/`.com` files on PATH
 * and refuses to run `.cmd`/`.bat` without a shell (CVE-2024-27980), so the command is looked up
 * with PATHEXT and a shim runs through `cmd.exe` with every argument escaped (the rules of
 * cross-spawn). Elsewhere spawn gets the command as is. Free of `vscode`.
 */

export interface CommandLine {
  file: string;
  args: string[];
  /** Set for cmd.exe: the command line is already quoted. */
  windowsVerbatimArguments?: boolean;
}

export interface Platform {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isFile?: (path: string) => boolean;
}

const isFileOnDisk = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;

/** Windows only: the file `command` names, searched on PATH with PATHEXT like cmd.exe does (but never in the current folder). */
export function findOnWindowsPath(
  command: string,
  env: NodeJS.ProcessEnv,
  isFile: (p: string) => boolean = isFileOnDisk,
): string | undefined {
  const get = (name: string) => env[Object.keys(env).find((k) => k.toUpperCase() === name) ?? name];
  const exts = (get('PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  const hasExt = exts.some((e) => command.toUpperCase().endsWith(e.toUpperCase()));
  const names = hasExt ? [command] : exts.map((e) => command + e.toLowerCase());
  const dirs =
    /[\\/]/.test(command) || win32.isAbsolute(command) ? [''] : (get('PATH') ?? '').split(';').filter(Boolean);
  for (const dir of dirs) {
    for (const name of names) {
      const p = dir ? win32.join(dir, name) : name;
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

export function commandLine(command: string, args: readonly string[], p: Platform): CommandLine {
  if (p.platform !== 'win32') return { file: command, args: [...args] };
  const found = findOnWindowsPath(command, p.env, p.isFile);
  if (!found || !/\.(cmd|bat)$/i.test(found)) return { file: found ?? command, args: [...args] };
  // npm's shims in node_modules\.bin pass %* on to another cmd parse: their arguments are escaped twice.
  const twice = /node_modules[\\/]\.bin[\\/][^\\/]+\.cmd$/i.test(found);
  const line = [escapeCommand(found), ...args.map((a) => escapeArgument(a, twice))].join(' ');
  const comspec = p.env[Object.keys(p.env).find((k) => k.toUpperCase() === 'COMSPEC') ?? 'COMSPEC'] ?? 'cmd.exe';
  return { file: comspec, args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

const META = /([()\][%!^"`<>&|;, *?])/g;

function escapeCommand(file: string): string {
  return file.replace(META, '^$1');
}

function escapeArgument(arg: string, twice: boolean): string {
  // The CommandLineToArgvW rules: double the backslashes before a quote or the end, escape the quote.
  let a = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  a = `"${a}"`.replace(META, '^$1');
  return twice ? a.replace(META, '^$1') : a;
}
