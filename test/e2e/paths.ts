import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the harness, the demo and scripts/setup-e2e.sh agree things live. */
export const repoRoot = resolve(__dirname, '../..');
/** Throwaway state of each run (user data, extensions, workspace); gitignored. */
export const e2eDir = join(repoRoot, '.e2e');
export const screenshotsDir = join(repoRoot, 'artifacts', 'screenshots');
/** The README's pictures as the last e2e run took them (element screenshots); `npm run screenshots` copies them to media/screenshots. */
export const readmeShotsDir = join(repoRoot, 'artifacts', 'readme-screenshots');
export const mediaScreenshotsDir = join(repoRoot, 'media', 'screenshots');

export const CODE_SERVER_VERSION = '4.100.3';
const cacheRoot = process.env.AGENT_AUTH_E2E_CACHE ?? join(homedir(), '.cache', 'agent-auth-e2e');
export const codeServerEntry = join(
  cacheRoot,
  `code-server-${CODE_SERVER_VERSION}`,
  'node_modules/code-server/out/node/entry.js',
);
export const chromiumPath = '/usr/bin/chromium';
