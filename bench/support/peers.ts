import { dirname, join } from 'node:path';
import { codeServerEntry } from '../../test/e2e/paths.js';

/** The built-in GitHub sign-in extension of the code-server the e2e harness installs (VS Code 1.100.3). */
export const githubAuthenticationDir = join(
  dirname(codeServerEntry),
  '..',
  '..',
  'lib',
  'vscode',
  'extensions',
  'github-authentication',
);

/** The settings both activation figures use: one configured provider, as a real user would have. */
export const ACTIVATION_SETTINGS = {
  'agentAuth.providers': [{ id: 'bench', label: 'Bench IdP', issuer: 'http://127.0.0.2:9', clientId: 'bench' }],
};
