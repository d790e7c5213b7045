/**
 * One extension-host-like process of the soak: its own TokenService on the shared directory store
 * and lock folder (as two VS Code windows share the keychain and global storage), and a consumer
 * asking for the token every `intervalMs`. Checks every token it is handed (expiry, and once per
 * token: live at the IdP by introspection), samples RSS and handles after a warm-up and at the
 * end. Forked by bench/figures/soak.ts with --expose-gc; talks over IPC only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestIdp } from '../../test/fixtures/idp.js';
import { DirSecretStore } from '../../test/support/dirSecretStore.js';
import { introspect, sha256 } from '../../test/support/idpChecks.js';
import { lifecycleWindow } from '../../test/support/lifecycle.js';
import { median } from '../stats.js';
import type { FromWindow, Resources, SoakReport, StartMessage, ToWindow } from './protocol.js';

const RESOURCE_SAMPLES = 5;
const MAX_ERROR_SAMPLES = 5;

let stopping = false;
process.on('message', (m: ToWindow) => {
  if (m.op === 'start') void run(m).catch((e) => fail(e));
  else stopping = true;
});

async function run(m: StartMessage): Promise<void> {
  const secrets = new DirSecretStore(m.storeDir);
  const { service } = lifecycleWindow([m.provider], { secrets, lockDir: m.lockDir });
  // introspect() needs only the issuer and client id of the IdP.
  const idp = { issuer: m.issuer, clientId: m.clientId } as TestIdp;
  const r: Omit<SoakReport, 'start' | 'end'> = {
    op: 'report',
    pid: process.pid,
    calls: 0,
    errors: 0,
    errorSamples: [],
    expired: 0,
    tokens: 0,
    inactiveAtIdp: 0,
  };
  const checks: Promise<void>[] = [];
  const noteError = (e: unknown) => {
    r.errors++;
    if (r.errorSamples.length < MAX_ERROR_SAMPLES) r.errorSamples.push((e as Error).message);
  };
  let lastToken = '';
  const startSampler = new ResourceSampler();
  const endSampler = new ResourceSampler();
  let start: Resources | undefined;
  let end: Resources | undefined;
  const warmEnd = Date.now() + m.warmupMs;
  send({ op: 'ready' });

  while (!start || !end) {
    const began = Date.now();
    try {
      const t = await service.getAccessToken(m.provider.id);
      r.calls++;
      if (t.expiresAt <= Date.now()) r.expired++;
      const hash = sha256(t.accessToken);
      if (hash !== lastToken) {
        lastToken = hash;
        r.tokens++;
        checks.push(
          introspect(idp, t.accessToken).then(
            (x) => void (x.active || r.inactiveAtIdp++),
            (e) => noteError(e),
          ),
        );
      }
    } catch (e) {
      noteError(e);
    }
    // Sampled right after a call completes, so both samples see the process in the same phase.
    if (!start) start = Date.now() >= warmEnd ? startSampler.take() : undefined;
    else if (stopping) end = endSampler.take();
    await sleep(Math.max(0, m.intervalMs - (Date.now() - began)));
  }
  await Promise.all(checks);
  send({ ...r, start, end });
  service.dispose();
  secrets.close();
  process.disconnect();
}

/** Collects RESOURCE_SAMPLES samples, one per call to take(); returns the summary with the last. */
class ResourceSampler {
  private readonly samples: { rss: number; heap: number; handles: string[] }[] = [];

  take(): Resources | undefined {
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    this.samples.push({ rss: mem.rss, heap: mem.heapUsed, handles: process.getActiveResourcesInfo() });
    if (this.samples.length < RESOURCE_SAMPLES) return undefined;
    const fewest = this.samples.reduce((a, b) => (b.handles.length < a.handles.length ? b : a));
    const handleTypes: Record<string, number> = {};
    for (const h of fewest.handles) handleTypes[h] = (handleTypes[h] ?? 0) + 1;
    const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return {
      rssMb: mb(median(this.samples.map((s) => s.rss))),
      heapUsedMb: mb(median(this.samples.map((s) => s.heap))),
      handles: fewest.handles.length,
      handleTypes,
    };
  }
}

function send(m: FromWindow): void {
  process.send!(m);
}

function fail(e: unknown): void {
  console.error(`soak window ${process.pid}: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
}
