import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The machine's certificate trust store (Debian's ca-certificates), where VS Code's extension host
 * reads system certificates (@vscode/proxy-agent: /etc/ssl/certs/ca-certificates.crt). Adding the
 * test CA is a change to the machine: it is undone when the phase ends, when the process exits for
 * any reason short of SIGKILL, and at the next start if an earlier run was killed.
 */
export const TEST_CA_FILE = '/usr/local/share/ca-certificates/agent-auth-e2e-test-ca.crt';
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function asRoot(cmd: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  execFileSync(root ? cmd : 'sudo', root ? args : ['-n', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function write(file: string, text: string): void {
  if (process.getuid?.() === 0) writeFileSync(file, text);
  else execFileSync('sudo', ['-n', 'tee', file], { input: text, stdio: ['pipe', 'ignore', 'pipe'] });
}

let exitHook = false;

/** Removes the test CA from the store if it is there; safe to call any number of times. */
export function removeTestCa(): void {
  if (!existsSync(TEST_CA_FILE)) return;
  asRoot('rm', ['-f', TEST_CA_FILE]);
  asRoot('update-ca-certificates', []);
}

/** Adds `caPem` to the system store. Needs root (or password-less sudo); CI runs as root. */
export function installTestCa(caPem: string): void {
  removeTestCa();
  if (!existsSync('/usr/sbin/update-ca-certificates'))
    throw new Error("update-ca-certificates is missing: install Debian's ca-certificates (scripts/setup-e2e.sh does)");
  if (!exitHook) process.on('exit', removeTestCa);
  exitHook = true;
  write(TEST_CA_FILE, caPem);
  asRoot('update-ca-certificates', []);
}

/** Whether the bundle VS Code reads holds `caPem` (its base64 body). */
export function bundleHolds(caPem: string): boolean {
  const body = caPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const bundle = existsSync(BUNDLE) ? readFileSync(BUNDLE, 'utf8').replace(/\s+/g, '') : '';
  return bundle.includes(body);
}
