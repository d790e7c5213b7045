import { join } from 'node:path';
import { introspect } from '../../support/idpChecks.js';
import { runProcess } from '../../support/runProcess.js';
import { repoRoot } from '../paths.js';
import { ENV_VAR, PROVIDER_ID } from '../providerSettings.js';
import { driver } from './mcp.js';
import type { Scenario } from '../runner.js';
import { sha256Prefix, until, type World } from '../world.js';

/** A process VS Code did not start: no AGENT_AUTH_* variables, only the user's PATH, HOME and runtime folder. */
function external(client: string[], env: NodeJS.ProcessEnv) {
  return runProcess([...client, PROVIDER_ID], { env });
}

/**
 * agentAuth.helper.userWide: with the setting on, a process outside VS Code (this harness) gets
 * live tokens from both clients through the per-user socket, across a refresh.
 */
export function userWideHelper(
  w: World,
  enable: () => Promise<void>,
  user: { home: string; runtimeDir: string; childDir: string },
): Scenario {
  const env = { PATH: process.env.PATH, HOME: user.home, XDG_RUNTIME_DIR: user.runtimeDir };
  const clients = [
    [join(repoRoot, 'bin', 'agent-auth-token')],
    [process.execPath, join(repoRoot, 'bin', 'agent-auth-token.js')],
  ];
  const live = async (): Promise<string> => {
    const tokens: string[] = [];
    for (const c of clients) {
      const r = await external(c, env);
      if (r.code !== 0) throw new Error(`${c.at(-1)} exited ${r.code}: ${r.stderr.trim()}`);
      tokens.push(r.stdout.trim());
    }
    for (const t of tokens)
      if (!(await introspect(w.idp, t)).active)
        throw new Error(`the IdP does not accept token sha256 ${sha256Prefix(t)}`);
    return tokens.at(-1)!;
  };
  return {
    name: 'user-wide-helper',
    needs: ['auth-code-sign-in'],
    async run(step) {
      await step('before the setting, an outside process gets exit 3 and why', async () => {
        const r = await external(clients[0], env);
        if (r.code !== 3 || !/agentAuth\.helper\.userWide/.test(r.stderr))
          throw new Error(`exit ${r.code}: ${r.stderr}`);
      });
      await step('turn on agentAuth.helper.userWide', enable);
      const first = await step('an outside process gets a live token from both clients', () =>
        until('agent-auth-token to answer outside VS Code', async () => live().catch(() => undefined), {
          timeoutMs: 20_000,
        }),
      );
      const second = await step('after the next refresh it gets the new live token', () =>
        until(
          'a refreshed token',
          async () => {
            const t = await live();
            return t !== first && t;
          },
          { timeoutMs: 90_000 },
        ),
      );
      step.note(`outside VS Code: sha256 ${sha256Prefix(first)} then ${sha256Prefix(second)}, both active at the IdP`);
      const launcher = join(user.home, '.local', 'bin', 'agent-auth-token');
      await step('Install Token Helper on PATH says where it put the launcher and how to undo it', async () => {
        await w.wb.runCommand('Agent Auth: Install Token Helper on PATH');
        await until(
          'the notification',
          async () =>
            (await w.wb.notification(`installed agent-auth-token at ${launcher}`).count()) > 0 &&
            (await w.wb.notification('To undo, delete that file').count()) > 0,
          {
            seen: async () => (await w.wb.notification(/./).allInnerTexts()).join(' | ') || 'no notification',
          },
        );
      });
      await step('the launcher, run outside VS Code, runs the installed extension’s helper', async () => {
        const r = await external([launcher], env);
        if (r.code !== 0) throw new Error(`${launcher} exited ${r.code}: ${r.stderr.trim()}`);
        if (!(await introspect(w.idp, r.stdout.trim())).active)
          throw new Error('the IdP does not accept the launcher’s token');
      });
      // Another extension's child process, and a stdio MCP server of mcp.json, which the extension
      // host starts the same way: the extension host's environment, no terminal variables.
      const fromExtension = async (args: string[], what: string): Promise<string> => {
        const r = await driver(w, user.childDir, { op: 'spawn', command: launcher, args });
        if (!r.ok || r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.error ?? r.stderr}`);
        const issued = new Map([...w.idp.issuedSecrets].map((t) => [sha256Prefix(t), t]));
        const token = issued.get(r.stdoutSha!);
        if (!token) throw new Error(`${what} printed ${r.stdoutSha ? 'something the IdP did not issue' : 'nothing'}`);
        if (!(await introspect(w.idp, token)).active)
          throw new Error(`${what}: the IdP does not accept token sha256 ${r.stdoutSha} now`);
        return r.stdoutSha!;
      };
      await step(
        'a child process another extension starts gets a live token through the launcher, also with exec',
        async () => {
          const printed = await fromExtension([PROVIDER_ID], `${launcher} ${PROVIDER_ID}`);
          const viaExec = await fromExtension(
            [
              'exec',
              '--provider',
              PROVIDER_ID,
              '--',
              process.execPath,
              '-e',
              `process.stdout.write(process.env.${ENV_VAR} || '')`,
            ],
            `${launcher} exec --provider ${PROVIDER_ID} -- node`,
          );
          step.note(
            `child of the extension host: agent-auth-token sha256 ${printed}…, exec's $${ENV_VAR} sha256 ${viaExec}…, both active at the IdP`,
          );
        },
      );
    },
  };
}
