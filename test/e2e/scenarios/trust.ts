import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../runner.js';
import { PROVIDER_ID } from '../providerSettings.js';
import { until, type World } from '../world.js';
import { checkInTerminal } from './terminal.js';
import type { Host } from '../paths.js';

/** What VS Code 1.139's trust dialog says when a terminal is about to start in an untrusted window. */
const TERMINAL_TRUST_PROMPT = 'Creating a terminal process requires executing code';

/**
 * Restricted Mode: a new terminal has no token helper; once the user trusts the workspace, new
 * terminals get it and it answers. Where VS Code asks for trust before a terminal starts (1.139),
 * the first terminal is declined (code-server starts it untrusted anyway) and the second one's
 * dialog grants trust ("Trust Folder & Continue"), as a user of that VS Code meets it; elsewhere the
 * Workspace Trust editor's Trust button does. Runs last in the untrusted window, since trust cannot
 * be taken back without a reload.
 */
export function trustGrantEnablesHelper(
  w: Pick<World, 'wb' | 'outDir'>,
  userinfo: () => string,
  host: Pick<Host, 'terminalAsksForTrust'>,
): Scenario {
  /** Opens a new terminal; where VS Code asks for trust first, answers its dialog with `answer`. */
  const newTerminal = async (answer: 'Cancel' | 'Trust Folder & Continue') => {
    await w.wb.runCommand('Terminal: Create New Terminal');
    if (!host.terminalAsksForTrust) return;
    const dialog = w.wb.page.locator('.monaco-dialog-box', { hasText: TERMINAL_TRUST_PROMPT });
    await dialog.waitFor();
    await w.wb.dialogButton(answer).click();
    await dialog.waitFor({ state: 'detached' });
  };
  return {
    name: 'trust-grant-enables-helper',
    needs: ['host-tests-restricted-mode'],
    async run(step) {
      const restricted = async () => (await w.wb.statusTexts()).some((t) => /Restricted Mode/.test(t));
      const statusBar = async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}`;
      await step('the window is in Restricted Mode', () =>
        until('a "Restricted Mode" item in the status bar', restricted, { timeoutMs: 10_000, seen: statusBar }),
      );
      const declined = host.terminalAsksForTrust ? ' (its trust dialog declined)' : '';
      const before = await step(`an untrusted window’s new terminal${declined} has no helper`, async () => {
        await newTerminal('Cancel');
        return checkInTerminal(w, 'untrusted-terminal.txt', 'helper', userinfo());
      });
      if (before.helperVar || before.helperPath)
        throw new Error(
          `Restricted Mode terminal: helper variable "${before.helperVar}", agent-auth-token at "${before.helperPath}"`,
        );
      if (host.terminalAsksForTrust) {
        await step('a new terminal’s trust dialog trusts the folder', () => newTerminal('Trust Folder & Continue'));
      } else {
        await step('the Workspace Trust editor trusts the folder', async () => {
          await w.wb.runCommand('Workspaces: Manage Workspace Trust');
          await w.wb.page.getByRole('button', { name: 'Trust', exact: true }).first().click();
        });
      }
      await step('Restricted Mode has ended', () =>
        until('no "Restricted Mode" item in the status bar', async () => !(await restricted()), {
          timeoutMs: 10_000,
          seen: statusBar,
        }),
      );
      const after = await step(
        'after trust a new terminal gets the helper, and it answers',
        async () => {
          // The variables arrive once the helper listens: a terminal opened just before may miss them.
          let attempt = 0;
          const seen = await until(
            'a new terminal with the token helper',
            async () => {
              const name = `trusted-terminal-${attempt++}.txt`;
              await w.wb.runCommand('Terminal: Create New Terminal');
              const s = await checkInTerminal(w, name, 'helper', userinfo());
              return s.helperVar === 'set' && { seen: s, name };
            },
            { timeoutMs: 30_000, seen: async () => `${attempt} terminal(s) without it` },
          );
          const stderr = join(w.outDir, `${seen.name}.stderr`);
          return { seen: seen.seen, stderr: existsSync(stderr) ? readFileSync(stderr, 'utf8') : '' };
        },
        { timeoutMs: 45_000 },
      );
      if (!after.seen.helperPath)
        throw new Error('agent-auth-token is not on PATH in a new terminal after trust was granted');
      // Not signed in there: the helper itself answers (exit 1 with its reason), not "not trusted".
      if (after.seen.exit !== '1' || !/Not signed in/.test(after.stderr) || /not trusted/.test(after.stderr)) {
        throw new Error(
          `agent-auth-token ${PROVIDER_ID} after trust: exit ${after.seen.exit}, stderr "${after.stderr.trim()}"`,
        );
      }
      step.note(`after trust: ${after.stderr.trim()}`);
    },
  };
}
