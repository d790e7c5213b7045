import { join } from 'node:path';
import { filesUnder, findSecrets } from '../../support/leaks.js';
import type { Scenario } from '../runner.js';
import type { World } from '../world.js';

/**
 * (f) Last: the window closes (the workbench saves its state, terminal layouts included), then no
 * token or code the IdP issued in this run may be in any file of code-server's user data (logs,
 * global and workspace state, the extension's storage, settings), the workspace, the terminal
 * output folder, or the argv of any process seen during the run. SecretStorage is where tokens
 * belong; in code-server it lives in the browser, not in user data.
 */
export function noTokenAtRest(w: World): Scenario {
  return {
    name: 'no-token-at-rest',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const secrets = w.idp.issuedSecrets;
      await step('the IdP issued tokens to search for', async () => {
        if (secrets.size < 4) throw new Error(`only ${secrets.size} secrets issued; the sweep would prove little`);
        step.note(`${secrets.size} codes and tokens issued in this run`);
      });
      await step('close the window', async () => {
        await w.wb.page.close({ runBeforeUnload: true });
        // The workbench's last storage writes travel to the server after unload.
        await new Promise((r) => setTimeout(r, 3_000));
      });
      await step('no issued secret in user data, workspace or output files', async () => {
        const files = [w.userDataDir, w.workspaceDir, w.outDir].flatMap(filesUnder);
        const leaks = files.flatMap((f) => findSecrets(secrets, f.path, f.text));
        if (leaks.length) throw new Error(leaks.join('\n'));
        const logs = files.filter((f) => f.path.startsWith(join(w.userDataDir, 'logs'))).length;
        step.note(`${files.length} files searched, ${logs} of them logs`);
      });
      await step('no issued secret in any process argv', async () => {
        const leaks = findSecrets(secrets, 'a process argv', w.argv.text());
        if (leaks.length) throw new Error(leaks.join('\n'));
        step.note(`${w.argv.text().split('\n').length} distinct command lines sampled during the run`);
      });
    },
  };
}
