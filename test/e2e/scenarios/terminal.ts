import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../runner.js';
import { ENV_VAR, PROVIDER_ID } from '../providerSettings.js';
import { EMPTY_SHA256_PREFIX, sha256Prefix, StepEnded, until, type World } from '../world.js';

/**
 * Runs inside a VS Code terminal. It records what the terminal sees — whether the helper variable
 * is set, where agent-auth-token is, a sha256 prefix of the token and the IdP's answer to it at
 * the userinfo endpoint — but never the token (it stays in a shell variable; printf is a builtin,
 * and curl reads the header from stdin, so it is in no file and no argv).
 */
const CHECK_SCRIPT = `#!/bin/bash
out="$1"; source="$2"; userinfo="$3"
if [ "$source" = helper ]; then t="$(agent-auth-token ${PROVIDER_ID} 2>"$out.stderr")"; status=$?; else t="\${${ENV_VAR}:-}"; status=-; fi
{
  printf 'helperVar=%s\\n' "\${AGENT_AUTH_TOKEN_HELPER:+set}"
  printf 'helperPath=%s\\n' "$(command -v agent-auth-token)"
  printf 'exit=%s\\n' "$status"
  printf 'sha=%s\\n' "$(printf '%s' "$t" | sha256sum | cut -c1-12)"
  printf 'userinfo=%s\\n' "$(printf 'Authorization: Bearer %s\\n' "$t" | curl -s -o /dev/null -w '%{http_code}' -H @- "$userinfo")"
} > "$out.part" && mv "$out.part" "$out"
`;

export type Seen = Record<'helperVar' | 'helperPath' | 'exit' | 'sha' | 'userinfo', string>;

/** Types the check into the active terminal (again if the shell was not ready) and reads what it saw. */
export async function checkInTerminal(
  w: Pick<World, 'wb' | 'outDir'>,
  name: string,
  source: 'helper' | 'env',
  userinfo: string,
): Promise<Seen> {
  const script = join(w.outDir, 'check-token.sh');
  writeFileSync(script, CHECK_SCRIPT);
  const out = join(w.outDir, name);
  rmSync(out, { force: true });
  const terminal = w.wb.page.locator('.terminal-wrapper.active .xterm');
  await terminal.waitFor({ timeout: 10_000 });
  // xterm draws on a canvas, so the prompt cannot be awaited; keys typed before the shell is ready
  // may be lost, hence a pause and the retries below.
  await new Promise((r) => setTimeout(r, 1_000));
  for (let attempt = 1; ; attempt++) {
    await terminal.click();
    await w.wb.page.keyboard.type(`bash '${script}' '${out}' ${source} '${userinfo}'\n`);
    try {
      await until(`the terminal to write ${out}`, async () => existsSync(out), { timeoutMs: 8_000 });
      break;
    } catch (e) {
      if (attempt === 3 || e instanceof StepEnded) throw e;
    }
  }
  return Object.fromEntries(
    readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  ) as Seen;
}

function expectAcceptedToken(seen: Seen, what: string): void {
  if (seen.sha === EMPTY_SHA256_PREFIX) throw new Error(`${what} is empty`);
  if (seen.userinfo !== '200')
    throw new Error(`the IdP's userinfo endpoint answered ${seen.userinfo} to ${what} (sha256 ${seen.sha})`);
}

async function userinfoEndpoint(w: World): Promise<string> {
  const meta = (await (await fetch(`${w.idp.issuer}/.well-known/openid-configuration`)).json()) as {
    userinfo_endpoint: string;
  };
  return meta.userinfo_endpoint;
}

/** (c) Every new terminal gets the token helper: AGENT_AUTH_TOKEN_HELPER and `agent-auth-token` on PATH. */
export function terminalHelper(w: World): Scenario {
  return {
    name: 'terminal-token-helper',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', () => userinfoEndpoint(w));
      const seen = await step('new terminal runs agent-auth-token', async () => {
        await w.wb.runCommand('Terminal: Create New Terminal');
        return checkInTerminal(w, 'helper-terminal.txt', 'helper', userinfo);
      });
      await step('terminal has the helper variable and command', async () => {
        const problems = [
          seen.helperVar !== 'set' && 'AGENT_AUTH_TOKEN_HELPER is not set',
          !seen.helperPath && 'agent-auth-token is not on PATH',
        ].filter(Boolean);
        if (problems.length) throw new Error(`in a new terminal ${problems.join(' and ')}`);
        if (seen.exit !== '0') {
          const err = readFileSync(join(w.outDir, 'helper-terminal.txt.stderr'), 'utf8').trim();
          throw new Error(`agent-auth-token ${PROVIDER_ID} exited with ${seen.exit}: ${err}`);
        }
      });
      await step('agent-auth-token prints a token the IdP accepts', async () =>
        expectAcceptedToken(seen, `agent-auth-token ${PROVIDER_ID}`),
      );
      step.note(`agent-auth-token ${PROVIDER_ID}: sha256 ${seen.sha}…, userinfo ${seen.userinfo}`);
      await step('README picture: an API call with agent-auth-token in a terminal', async () => {
        // What a user or an agent types: the header goes through stdin (printf is a builtin), so
        // the token is on no command line and not on screen; tee lets the test see that it ran.
        const out = 'userinfo.json';
        rmSync(join(w.workspaceDir, out), { force: true });
        const terminal = w.wb.page.locator('.terminal-wrapper.active .xterm');
        await terminal.click();
        // Cleared by the workbench, not by `clear`: keys typed while `clear` runs could be echoed before it and stay on screen.
        await w.wb.page.keyboard.type("PS1='$ '\n");
        await w.wb.runCommand('Terminal: Clear');
        await terminal.click();
        await w.wb.page.keyboard.type(
          `printf 'Authorization: Bearer %s\\n' "$(agent-auth-token ${PROVIDER_ID})" | curl -s -H @- ${userinfo} | tee ${out}; echo\n`,
        );
        const body = await until(
          `the userinfo answer in ${out}`,
          async () => {
            try {
              const text = readFileSync(join(w.workspaceDir, out), 'utf8');
              return /"sub"/.test(text) && text;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 10_000 },
        );
        step.note(`userinfo: ${body.trim().slice(0, 80)}`);
        // No toast over the picture (the palette's F1 from a terminal, or earlier tests, leave some).
        await w.wb.runCommand('Notifications: Clear All Notifications');
        await until('no notification toasts', async () => (await w.wb.visibleNotifications()).length === 0, {
          timeoutMs: 5_000,
        });
        // The terminal alone: the panel's tab list would also show the terminals of earlier tests.
        await w.wb.readmeShot('terminal-helper', w.wb.page.locator('.part.panel .terminal-groups-container'));
        rmSync(join(w.workspaceDir, out), { force: true });
      });
    },
  };
}

/** (c) "New Terminal with Token" puts the current token in the provider's envVar. */
export function terminalWithToken(w: World): Scenario {
  return {
    name: 'new-terminal-with-token',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', () => userinfoEndpoint(w));
      const seen = await step('New Terminal with Token', async () => {
        await w.wb.runCommand('Agent Auth: New Terminal with Token');
        return checkInTerminal(w, 'env-terminal.txt', 'env', userinfo);
      });
      await step(`$${ENV_VAR} is a token the IdP accepts`, async () => expectAcceptedToken(seen, `$${ENV_VAR}`));
      step.note(`$${ENV_VAR}: sha256 ${seen.sha}…, userinfo ${seen.userinfo}`);
    },
  };
}

/** "Copy Access Token" asks first, then copies a token the IdP accepts. */
export function copyAccessToken(w: World): Scenario {
  return {
    name: 'copy-access-token',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', () => userinfoEndpoint(w));
      const copied = await step('Copy Access Token, confirmed in the dialog', async () => {
        await w.wb.runCommand('Agent Auth: Copy Access Token');
        await w.wb.dialogButton('Copy Token').click();
        return until('a token on the clipboard', async () => {
          const clip = await w.wb.readClipboard();
          return clip.length > 20 && clip;
        });
      });
      await step('copied token is one the IdP accepts', async () => {
        const res = await fetch(userinfo, { headers: { authorization: `Bearer ${copied}` } });
        if (res.status !== 200)
          throw new Error(
            `the IdP's userinfo endpoint answered ${res.status} to the copied token (sha256 ${sha256Prefix(copied)})`,
          );
      });
      step.note(`copied token: sha256 ${sha256Prefix(copied)}…`);
    },
  };
}
