/**
 * A child process standing in for one VS Code window: its own TokenService over the shared
 * directory-backed store and lock folder, driven by the parent test over IPC (never argv: the
 * messages carry no tokens either way, only their SHA-256). Run via test/support/workers.ts.
 */
import { isAuthError } from '../../src/protocol/errors.js';
import { SessionError } from '../../src/session/errors.js';
import { DirSecretStore } from '../support/dirSecretStore.js';
import { sha256 } from '../support/idpChecks.js';
import { lifecycleWindow } from '../support/lifecycle.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from '../support/workers.js';

let window: ReturnType<typeof lifecycleWindow> | undefined;
let secrets: DirSecretStore | undefined;

process.on('message', (msg: WorkerInit | WorkerRequest) => void handle(msg));

async function handle(msg: WorkerInit | WorkerRequest): Promise<void> {
  if (msg.op === 'init') {
    secrets = new DirSecretStore(msg.storeDir);
    window = lifecycleWindow([msg.provider], {
      secrets,
      lockDir: msg.lockDir,
      staleMs: msg.staleMs,
      timeoutMs: msg.timeoutMs,
      settings: msg.settings,
    });
    return send({ id: 0, ok: true });
  }
  if (msg.op === 'exit') {
    window?.service.dispose();
    secrets?.close();
    process.disconnect();
    return;
  }
  try {
    const service = window!.service;
    if (msg.op === 'get') {
      const t = await service.getAccessToken(msg.providerId, msg.opts);
      return send({
        id: msg.id,
        ok: true,
        token: { sha256: sha256(t.accessToken), expiresAt: t.expiresAt },
        at: Date.now(),
      });
    }
    const s = await service.refreshNow(msg.providerId);
    return send({
      id: msg.id,
      ok: true,
      token: { sha256: sha256(s.accessToken!), expiresAt: s.expiresAt },
      at: Date.now(),
    });
  } catch (e) {
    const code = e instanceof SessionError || isAuthError(e) ? e.code : undefined;
    send({
      id: msg.id,
      ok: false,
      error: { name: (e as Error).name, code, message: (e as Error).message },
      at: Date.now(),
    });
  }
}

function send(reply: WorkerReply): void {
  process.send!(reply);
}
