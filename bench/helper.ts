/**
 * Token helper latency: `agent-auth-token` against a real helper server, called as an agent would
 * (one process per token), next to the cost of spawning `/bin/true` (the floor) and `gh auth token`
 * with GH_TOKEN set (a CLI that just prints a token it already has).
 *
 *   npx tsx bench/helper.ts        prints p50/p99 in ms, plus the curl-only and Node-only paths
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startTokenHelperServer } from '../src/helper/server.js';

export interface Latency {
  p50: number;
  p99: number;
}

const CALLS = 500;
const WARMUP = 20;
const TOKEN = 'bench-token-0123456789abcdef';

export async function benchHelper(calls = CALLS): Promise<{ ours: Latency; floor: Latency; gh?: Latency }> {
  return withServer(async (helper, env) => {
    const floor = await measure('/bin/true', [], process.env, calls);
    const ours = await measure(helper, [], env, calls);
    const gh = onPath('gh')
      ? await measure('gh', ['auth', 'token'], { ...process.env, GH_TOKEN: TOKEN }, calls)
      : undefined;
    return { ours, floor, gh };
  });
}

/** The same helper with only one client tool reachable: what machines without perl get. */
async function benchFallbacks(calls: number): Promise<Record<string, Latency>> {
  return withServer(async (helper, env) => {
    const onlyCurl = mkdtempSync(join(tmpdir(), 'agent-auth-bench-'));
    try {
      symlinkSync(which('curl')!, join(onlyCurl, 'curl'));
      return {
        'curl (no perl)': await measure(helper, [], { ...env, PATH: onlyCurl }, calls),
        'node (no perl, no curl)': await measure(
          helper,
          [],
          { ...env, PATH: join(onlyCurl, 'none') },
          Math.min(calls, 100),
        ),
      };
    } finally {
      rmSync(onlyCurl, { recursive: true, force: true });
    }
  });
}

async function withServer<T>(run: (helper: string, env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const server = await startTokenHelperServer({
    source: {
      getAccessToken: async () => ({ providerId: 'bench', accessToken: TOKEN, expiresAt: Date.now() + 3_600_000 }),
      getIdToken: () => Promise.reject(new Error('no ID token in the benchmark')),
    },
  });
  try {
    return await run(server.env.AGENT_AUTH_TOKEN_HELPER, { ...process.env, ...server.env });
  } finally {
    await server.close();
  }
}

async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv, calls: number): Promise<Latency> {
  const ms: number[] = [];
  for (let i = 0; i < WARMUP + calls; i++) {
    const t = await timeOne(cmd, args, env);
    if (i >= WARMUP) ms.push(t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]);
  return { p50: at(0.5), p99: at(0.99) };
}

function timeOne(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0 || (cmd !== '/bin/true' && out.trim() !== TOKEN))
        reject(new Error(`${cmd} exited ${code} printing ${JSON.stringify(out)}`));
      else resolve(ms);
    });
  });
}

function which(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, name))
    .find((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

const onPath = (name: string) => which(name) !== undefined;
const round = (ms: number) => Math.round(ms * 100) / 100;

if (require.main === module) {
  void (async () => {
    const r = await benchHelper();
    const rows: Record<string, Latency> = { 'agent-auth-token': r.ours, '/bin/true (floor)': r.floor };
    if (r.gh) rows['gh auth token'] = r.gh;
    Object.assign(rows, await benchFallbacks(CALLS));
    console.log(`p50/p99 in ms over ${CALLS} sequential calls`);
    console.table(rows);
    console.log(`agent-auth-token p50 is ${round(r.ours.p50 - r.floor.p50)} ms above the floor (goal <= 3)`);
    if (r.gh) console.log(`agent-auth-token p50 / gh p50 = ${round(r.ours.p50 / r.gh.p50)} (goal <= 0.33)`);
  })();
}
