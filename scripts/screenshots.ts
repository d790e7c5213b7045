// `npm run screenshots`: refreshes the README's pictures in media/screenshots from a real e2e run.
// The end-to-end scenarios take them (Playwright element screenshots of the real workbench: the
// status view, the device-code dialog, a terminal running agent-auth-token); this runs those
// scenarios and copies the pictures. `--copy-only` copies what the last `npm run test:e2e` took.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mediaScreenshotsDir, readmeShotsDir, repoRoot } from '../test/e2e/paths.js';

/** The README's pictures and the scenario that takes each. */
const SHOTS: Record<string, string> = {
  'status-view': 'countdown-and-proactive-refresh',
  'device-code': 'device-code-sign-in',
  'terminal-helper': 'terminal-token-helper',
};

if (!process.argv.includes('--copy-only')) {
  rmSync(readmeShotsDir, { recursive: true, force: true });
  const r = spawnSync('npm', ['run', 'test:e2e'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, AGENT_AUTH_E2E_ONLY: [...new Set(Object.values(SHOTS))].join(',') },
  });
  if (r.status !== 0) console.error(`screenshots: the e2e run failed (exit ${r.status}); copying what it took.`);
}
mkdirSync(mediaScreenshotsDir, { recursive: true });
const missing: string[] = [];
for (const [name, scenario] of Object.entries(SHOTS)) {
  const from = join(readmeShotsDir, `${name}.png`);
  if (!existsSync(from)) {
    missing.push(`${name}.png (taken by the e2e scenario ${scenario})`);
    continue;
  }
  copyFileSync(from, join(mediaScreenshotsDir, `${name}.png`));
  console.log(`media/screenshots/${name}.png ← ${from}`);
}
if (missing.length) {
  console.error(`screenshots: missing ${missing.join(', ')}`);
  process.exit(1);
}
