import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { silentLogger } from '../../src/protocol/log.js';
import { AccountRegistry } from '../../src/session/accounts/accounts.js';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import type { TokenService } from '../../src/session/tokenService.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';
import type { Glue } from '../../src/vscode/glue.js';
import { lazyTokenHelper } from '../../src/vscode/tokenHelper.js';

/**
 * A Glue for host tests: the real `vscode` API and a real TokenService, but not the installed
 * extension's (its commands are already registered in this host). The context carries only what
 * the glue reads: the subscriptions list (the token helper server's close goes there).
 */
export function hostGlue(
  service: TokenService,
  accounts?: AccountRegistry,
): Glue & { signInCalls: (string | undefined)[]; dispose(): void } {
  const subscriptions: vscode.Disposable[] = [];
  const context = { subscriptions };
  const log = vscode.window.createOutputChannel('Agent Auth host tests', { log: true });
  const signInCalls: (string | undefined)[] = [];
  return {
    context: context as unknown as vscode.ExtensionContext,
    service,
    // Without setProviders the registry adds no lanes: every provider has its one account.
    accounts:
      accounts ??
      new AccountRegistry({
        secrets: new MemorySecretStore(),
        service,
        lock: new FileRefreshLock(mkdtempSync(join(tmpdir(), 'agent-auth-lock-')), { log: silentLogger }),
        log: silentLogger,
      }),
    log,
    signInCalls,
    async signIn(providerId?: string) {
      signInCalls.push(providerId);
    },
    async signInAnother(providerId?: string) {
      signInCalls.push(`another:${providerId}`);
    },
    tokenHelper: lazyTokenHelper(service, log, subscriptions),
    dispose() {
      subscriptions.forEach((d) => d.dispose());
      log.dispose();
    },
  };
}

export const sha = (s: string | undefined) =>
  s === undefined ? undefined : 'sha256:' + createHash('sha256').update(s).digest('hex').slice(0, 12);

/** The bundled tests run from .e2e/host-tests; repository files are found by walking up. */
export function repoFile(relative: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) throw new Error(`${relative} not found above ${__dirname}`);
  }
}

export function readJsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export async function eventually<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
