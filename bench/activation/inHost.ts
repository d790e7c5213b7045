import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CodeServer, startCodeServer } from '../../test/e2e/codeServer.js';
import { repoRoot } from '../../test/e2e/paths.js';
import { run } from '../../test/e2e/processes.js';
import { Workbench } from '../../test/e2e/workbench.js';
import { ACTIVATION_SETTINGS } from '../support/peers.js';

export const OURS_ID = 'agentauth.agent-auth';
export const PEER_ID = 'vscode.github-authentication';

/** The extension host's own marks for one extension, epoch ms (see probe/extension.js). */
interface Marks {
  willLoadExtensionCode: number;
  didLoadExtensionCode: number;
  willActivateExtension: number;
  didActivateExtension: number;
}

export interface HostSample {
  /** Loading the code (require) plus the activate call until its result settled, per extension. */
  ours: HostTimes;
  peer: HostTimes;
}

export interface HostTimes {
  loadMs: number;
  activateMs: number;
  totalMs: number;
}

const PROBE_TIMEOUT_MS = 120_000;

/**
 * Starts code-server (the e2e harness) `samples` times with the packaged VSIX and the probe,
 * connects a browser so the extension host starts, and collects the host's activation marks.
 * github-authentication ships a web build and prefers the browser's web-worker host; the setting
 * below keeps it in the same Node extension host as Agent Auth, running the same
 * dist/extension.js desktop VS Code runs.
 */
export async function activationInHost(vsix: string, samples: number): Promise<HostSample[]> {
  const work = mkdtempSync(join(tmpdir(), 'agent-auth-bench-host-'));
  try {
    const probeVsix = join(work, 'probe.vsix');
    await run(
      join(repoRoot, 'node_modules', '.bin', 'vsce'),
      ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', probeVsix],
      {
        cwd: join(__dirname, 'probe'),
      },
    );
    const out: HostSample[] = [];
    for (let i = 0; i < samples; i++) out.push(await oneStart(join(work, `run-${i}`), [vsix, probeVsix]));
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function oneStart(root: string, vsixes: string[]): Promise<HostSample> {
  const resultFile = `${root}-probe.json`;
  let cs: CodeServer | undefined;
  let wb: Workbench | undefined;
  try {
    cs = await startCodeServer({
      root,
      vsixes,
      settings: { ...ACTIVATION_SETTINGS, 'remote.extensionKind': { [PEER_ID]: ['workspace'] } },
      env: { AGENT_AUTH_BENCH_PROBE_OUT: resultFile },
    });
    wb = await Workbench.open(cs.workbenchUrl);
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    while (!existsSync(resultFile)) {
      if (Date.now() > deadline)
        throw new Error(`the activation probe wrote nothing within ${PROBE_TIMEOUT_MS / 1000} s\n${cs.logTail(15)}`);
      await sleep(250);
    }
    const r = JSON.parse(readFileSync(resultFile, 'utf8')) as {
      error?: string;
      marks?: Record<string, Partial<Marks>>;
    };
    if (r.error) throw new Error(`activation probe: ${r.error}`);
    return { ours: times(r.marks?.[OURS_ID], OURS_ID), peer: times(r.marks?.[PEER_ID], PEER_ID) };
  } finally {
    await wb?.close();
    await cs?.stop();
  }
}

function times(m: Partial<Marks> | undefined, id: string): HostTimes {
  const {
    willLoadExtensionCode: a,
    didLoadExtensionCode: b,
    willActivateExtension: c,
    didActivateExtension: d,
  } = m ?? {};
  if (a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`the extension host recorded no complete activation marks for ${id}: ${JSON.stringify(m)}`);
  }
  return { loadMs: b - a, activateMs: d - c, totalMs: b - a + (d - c) };
}
