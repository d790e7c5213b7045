import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseProviders } from '../../src/session/config/config.js';
import { parseAgents } from '../../src/vscode/agentsConfig.js';
import { SettingsProblems } from '../../src/vscode/settingsProblems.js';
import { eventually } from './hostGlue.js';

describe('settings problems (real vscode)', () => {
  it('problems found together, in providers and agents, share one notification; each is logged', async () => {
    const log = vscode.window.createOutputChannel('Agent Auth host tests (settings)', { log: true });
    const shown: string[] = [];
    const problems = new SettingsProblems(log, (m) => shown.push(m));
    try {
      const providers = parseProviders([
        { id: 'bad id!', issuer: 'https://a.example', clientId: 'c' },
        { id: 'ok', issuer: 'ftp://x', clientId: 'c' },
      ]);
      assert.ok(providers.problems.length >= 2);
      problems.report(providers.problems, 'This entry is skipped.');
      problems.report(
        parseAgents([{ id: 'a', provider: 'nope', command: 'x' }], ['ok']).problems,
        'This agent is not started.',
      );
      await eventually('the notification', () => shown.length > 0);
      assert.equal(shown.length, 1, `one notification: ${shown.join(' ### ')}`);
      assert.match(shown[0], /^Agent Auth: \d+ problems in the settings \(all in the log\): /);
      assert.match(shown[0], /This agent is not started\./);
      // The same problems again (another settings change that fixed nothing): no new notification.
      problems.report(providers.problems, 'This entry is skipped.');
      problems.flush();
      assert.equal(shown.length, 1);
    } finally {
      problems.dispose();
      log.dispose();
    }
  });
});
