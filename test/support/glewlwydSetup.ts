import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * Mocha global setup (listed in .mocharc.json `require`): installs Glewlwyd for the interop suite
 * once, before any test and outside every hook's timeout (a first install takes minutes in CI).
 * A failure here does not stop the run: the Glewlwyd tests then fail with the script's message.
 */
export async function mochaGlobalSetup(): Promise<void> {
  await new Promise<void>((resolve) => {
    execFile('bash', [join(__dirname, '..', '..', 'scripts', 'setup-glewlwyd.sh')], (err, stdout, stderr) => {
      if (err)
        console.warn(`Glewlwyd is not available; the interop tests against it will fail:\n${stderr || err.message}`);
      else if (!/ready/.test(stdout)) console.warn(stdout);
      resolve();
    });
  });
}
