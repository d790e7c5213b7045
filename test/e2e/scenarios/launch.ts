import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';
import { ENV_VAR, PROVIDER_ID } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { sha256Prefix, until, type World } from '../world.js';

const DEBUG = 'Debug: Select and Start Debugging';
const PROBE = join(repoRoot, 'test', 'fixtures', 'launch-probe', 'probe.js');
/** Long enough for a proactive refresh of the run's 40 s tokens to happen while the probe asks. */
const HELPER_WAIT_MS = 110_000;

/** What the probe wrote: fingerprints and the IdP's answers only. */
interface ProbeReport {
  helperVar: boolean;
  calls: number;
  rejected: number;
  tokens: { sha: string; userinfo: number; at: number }[];
  /** env mode: one `agent-auth-token` call beside the variable. */
  helperOnce?: { sha?: string; userinfo?: number; error?: string };
  error?: string;
}

const CONFIGS = {
  command: 'Probe: token from ${command:agentAuth.accessToken}',
  input: 'Probe: token from an input with the provider',
  terminal: 'Probe: agent-auth-token in the integrated terminal',
} as const;
const TASK = 'Probe: process task with the token from an input';

/**
 * The workspace's .vscode/launch.json: node configurations for VS Code's built-in JavaScript
 * debugger (ms-vscode.js-debug), written as a user would, with the probe as the program.
 */
function writeLaunchJson(w: World, userinfo: string): Record<keyof typeof CONFIGS | 'task', string> {
  const out = {
    command: join(w.outDir, 'launch-command.json'),
    input: join(w.outDir, 'launch-input.json'),
    terminal: join(w.outDir, 'launch-terminal.json'),
    task: join(w.outDir, 'task-input.json'),
  };
  for (const f of Object.values(out)) rmSync(f, { force: true });
  const base = { type: 'node', request: 'launch', program: PROBE, runtimeExecutable: process.execPath };
  const launch = {
    version: '0.2.0',
    configurations: [
      {
        ...base,
        name: CONFIGS.command,
        args: [out.command, 'env', userinfo, ENV_VAR, PROVIDER_ID],
        env: { [ENV_VAR]: '${command:agentAuth.accessToken}' },
      },
      {
        ...base,
        name: CONFIGS.input,
        args: [out.input, 'env', userinfo, ENV_VAR, PROVIDER_ID],
        env: { [ENV_VAR]: '${input:devToken}' },
      },
      {
        ...base,
        name: CONFIGS.terminal,
        console: 'integratedTerminal',
        args: [out.terminal, 'helper', userinfo, PROVIDER_ID, String(HELPER_WAIT_MS)],
      },
    ],
    inputs: [INPUT],
  };
  // README's own example: a process task with the token from the same input in options.env.
  const tasks = {
    version: '2.0.0',
    tasks: [
      {
        label: TASK,
        type: 'process',
        command: process.execPath,
        args: [PROBE, out.task, 'env', userinfo, ENV_VAR, PROVIDER_ID],
        options: { env: { [ENV_VAR]: '${input:devToken}' } },
        problemMatcher: [],
      },
    ],
    inputs: [INPUT],
  };
  mkdirSync(join(w.workspaceDir, '.vscode'), { recursive: true });
  writeFileSync(join(w.workspaceDir, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2));
  writeFileSync(join(w.workspaceDir, '.vscode', 'tasks.json'), JSON.stringify(tasks, null, 2));
  return out;
}

const INPUT = { id: 'devToken', type: 'command', command: 'agentAuth.accessToken', args: PROVIDER_ID };

/** `command` ("Debug: Select and Start Debugging", "Tasks: Run Task"), then the entry by name, as a user picks it. */
async function pickAndStart(w: World, command: string, name: string): Promise<void> {
  await until(
    `"${name}" in the picker of ${command}`,
    async () => {
      await w.wb.runCommand(command);
      const row = w.wb.page.locator('.quick-input-list .monaco-list-row', {
        has: w.wb.page.locator('.label-name', { hasText: name }),
      });
      // The file watcher may not have told the workbench about the file yet: close and look again.
      if (
        !(await row
          .first()
          .waitFor({ timeout: 5_000 })
          .then(
            () => true,
            () => false,
          ))
      ) {
        await w.wb.closeMenus();
        return false;
      }
      await row.first().click();
      return true;
    },
    { timeoutMs: 30_000 },
  );
}

async function report(file: string, timeoutMs: number): Promise<ProbeReport> {
  const r = await until(
    `the probe to write ${file}`,
    async () => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as ProbeReport),
    { timeoutMs },
  );
  if (r.error) throw new Error(`the probe failed: ${r.error}`);
  return r;
}

function expectAccepted(r: ProbeReport, what: string, issued: Set<string>): void {
  const t = r.tokens[0];
  if (!t?.sha) throw new Error(`${what}: the probe got no token`);
  if (t.userinfo !== 200)
    throw new Error(`${what}: the IdP's userinfo endpoint answered ${t.userinfo} (sha256 ${t.sha})`);
  if (!issued.has(t.sha)) throw new Error(`${what}: sha256 ${t.sha} is not a token the IdP issued`);
}

const helperText = (r: ProbeReport) =>
  r.helperOnce?.error ??
  (r.helperOnce?.sha ? `sha256 ${r.helperOnce.sha}…, userinfo ${r.helperOnce.userinfo}` : 'not tried');

/**
 * Launch configurations (debugging) in VS Code's own debugger: the token in `env` through
 * `${command:agentAuth.accessToken}` and through an input naming the provider, and a program in
 * the integrated terminal that calls agent-auth-token on each use and gets live tokens across a refresh;
 * and a `process` task (tasks.json) with the same input in options.env and the helper on PATH.
 */
export function launchConfigurations(w: World): Scenario {
  return {
    name: 'launch-configuration',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', async () => {
        const meta = (await (await fetch(`${w.idp.issuer}/.well-known/openid-configuration`)).json()) as {
          userinfo_endpoint: string;
        };
        return meta.userinfo_endpoint;
      });
      const out = await step('write .vscode/launch.json (three node configurations) and tasks.json', async () =>
        writeLaunchJson(w, userinfo),
      );
      const issued = () => new Set([...w.idp.issuedSecrets].map(sha256Prefix));
      for (const kind of ['command', 'input'] as const) {
        const r = await step(
          `start "${CONFIGS[kind]}"`,
          async () => {
            await pickAndStart(w, DEBUG, CONFIGS[kind]);
            return report(out[kind], 30_000);
          },
          { timeoutMs: 60_000 },
        );
        await step(`${kind}: $${ENV_VAR} at start is a token the IdP accepts`, async () =>
          expectAccepted(
            r,
            `"env" with ${kind === 'command' ? '${command:agentAuth.accessToken}' : '${input:devToken}'}`,
            issued(),
          ),
        );
        step.note(
          `${kind}: $${ENV_VAR} sha256 ${r.tokens[0].sha}…, userinfo ${r.tokens[0].userinfo}; agent-auth-token in the debuggee (internal console): ${helperText(r)}`,
        );
      }
      const t = await step(
        `run the task "${TASK}"`,
        async () => {
          await pickAndStart(w, 'Tasks: Run Task', TASK);
          return report(out.task, 30_000);
        },
        { timeoutMs: 60_000 },
      );
      await step(
        `task: $${ENV_VAR} from the input and agent-auth-token on PATH both give tokens the IdP accepts`,
        async () => {
          expectAccepted(t, '"options.env" with ${input:devToken}', issued());
          if (t.helperOnce?.userinfo !== 200) throw new Error(`agent-auth-token in a process task: ${helperText(t)}`);
        },
      );
      step.note(`task: $${ENV_VAR} sha256 ${t.tokens[0].sha}…; agent-auth-token: ${helperText(t)}`);
      const r = await step(
        `start "${CONFIGS.terminal}" and wait for a refresh`,
        async () => {
          await pickAndStart(w, DEBUG, CONFIGS.terminal);
          return report(out.terminal, HELPER_WAIT_MS + 20_000);
        },
        { timeoutMs: HELPER_WAIT_MS + 40_000 },
      );
      await step(
        'every agent-auth-token call in the debug terminal gave a token the IdP accepted, and a new one after the refresh',
        async () => {
          if (!r.helperVar) throw new Error('the debug terminal has no AGENT_AUTH_TOKEN_HELPER');
          if (r.rejected) throw new Error(`${r.rejected} of ${r.calls} calls gave a token the IdP refused`);
          if (r.tokens.length < 2)
            throw new Error(
              `only ${r.tokens.length} distinct token(s) in ${r.calls} calls over ${HELPER_WAIT_MS / 1000} s`,
            );
          const known = issued();
          const unknown = r.tokens.filter((t) => !known.has(t.sha));
          if (unknown.length) throw new Error(`sha256 ${unknown.map((t) => t.sha).join(', ')} not issued by the IdP`);
        },
      );
      step.note(
        `integrated terminal: ${r.calls} calls, tokens ${r.tokens.map((t) => `${t.sha}… (userinfo ${t.userinfo})`).join(' then ')}, ${((r.tokens[1].at - r.tokens[0].at) / 1000).toFixed(0)} s apart`,
      );
    },
  };
}
