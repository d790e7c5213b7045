import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../runner.js';
import { PROVIDER_ID } from '../providerSettings.js';
import type { World } from '../world.js';
import { checkInTerminal, type Seen } from './terminal.js';

/**
 * Restricted Mode: a new terminal has no token helper; once the user trusts the workspace (the
 * Workspace Trust editor's Trust button), new terminals get it and it answers. Runs last in the
 * untrusted window, since trust cannot be taken back without a reload.
 */
export function trustGrantEnablesHelper(w: Pick<World, 'wb' | 'outDir'>, userinfo: () => string): Scenario {
  return {
    name: 'trust-grant-enables-helper',
    needs: ['host-tests-restricted-mode'],
    async run(step) {
      const before = await step('an untrusted window’s new terminal has no helper', async () => {
        await w.wb.runCommand('Terminal: Create New Terminal');
        return checkInTerminal(w, 'untrusted-terminal.txt', 'helper', userinfo());
      });
      if (before.helperVar || before.helperPath) throw new Error(`Restricted Mode terminal: helper variable "${before.helperVar}", agent-auth-token at "${before.helperPath}"`);
      await step('the Workspace Trust editor trusts the folder', async () => {
        await w.wb.runCommand('Workspaces: Manage Workspace Trust');
        await w.wb.page.getByRole('button', { name: 'Trust', exact: true }).first().click();
        await w.wb.page.locator('.workspace-trust-editor .workspace-trust-header.trusted, .workspace-trust-header .workspace-trust-title', { hasText: /trusted/i })
          .first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      });
      const after = await step('after trust a new terminal gets the helper, and it answers', async () => {
        let seen: Seen | undefined;
        // The variables arrive once the helper listens: a terminal opened just before may miss them.
        for (let i = 0; i < 5 && !seen?.helperVar; i++) {
          await w.wb.runCommand('Terminal: Create New Terminal');
          seen = await checkInTerminal(w, `trusted-terminal-${i}.txt`, 'helper', userinfo());
          if (!seen.helperVar) await new Promise((r) => setTimeout(r, 1_000));
        }
        return { seen: seen!, stderr: [0, 1, 2, 3, 4].map((i) => join(w.outDir, `trusted-terminal-${i}.txt.stderr`)).filter(existsSync).map((f) => readFileSync(f, 'utf8')).pop() ?? '' };
      });
      if (after.seen.helperVar !== 'set' || !after.seen.helperPath) throw new Error('no helper in a new terminal after trust was granted');
      // Not signed in there: the helper itself answers (exit 1 with its reason), not "not trusted".
      if (after.seen.exit !== '1' || !/Not signed in/.test(after.stderr) || /not trusted/.test(after.stderr)) {
        throw new Error(`agent-auth-token ${PROVIDER_ID} after trust: exit ${after.seen.exit}, stderr "${after.stderr.trim()}"`);
      }
      step.note(`after trust: ${after.stderr.trim()}`);
    },
  };
}
