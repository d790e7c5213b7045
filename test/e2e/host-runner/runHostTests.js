// Runs the compiled host tests with mocha inside whichever extension host loads this file
// (code-server's for the e2e suite, VS Code's for @vscode/test-electron) and returns one result
// per test. Plain JavaScript: the host loads it as it is, without tsx.
const fs = require('fs');
const path = require('path');

const EXTENSION_ID = 'agentauth.agent-auth';

/** Activates Agent Auth first, so the tests start from a ready extension and a missing one is one clear failure. */
async function activateAgentAuth(vscode, timeoutMs) {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${EXTENSION_ID} did not activate within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([ext.activate(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `onTest` hears the title of each test as it starts, so a hung test can be named; `only` names
 * the test files to run (all when absent).
 * @param {{ vscode: any, testsDir: string, mochaPath: string, only?: string[], onTest?: (title: string) => void }} o
 * @returns {Promise<{ tests: { title: string, ok: boolean, ms: number, error?: string }[], pending: string[] }>}
 */
async function runHostTests({ vscode, testsDir, mochaPath, only, onTest = () => undefined }) {
  await activateAgentAuth(vscode, 30000);
  const Mocha = require(mochaPath);
  const mocha = new Mocha({ ui: 'bdd', timeout: 20000, color: false, reporter: 'base' });
  const files = fs
    .readdirSync(testsDir, { recursive: true })
    .filter((f) => f.endsWith('.test.js') && (!only || only.includes(path.basename(f))))
    .sort();
  if (files.length === 0) throw new Error(`no compiled host tests in ${testsDir}`);
  for (const f of files) mocha.addFile(path.join(testsDir, f));
  const tests = [];
  const pending = [];
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('test', (t) => onTest(t.fullTitle()));
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), ok: true, ms: t.duration || 0 }));
    // Hooks fail through this event too; their titles say which hook.
    runner.on('fail', (t, err) =>
      tests.push({ title: t.fullTitle(), ok: false, ms: t.duration || 0, error: String((err && err.stack) || err) }),
    );
    runner.on('pending', (t) => pending.push(t.fullTitle()));
  });
  return { tests, pending };
}

module.exports = { runHostTests };
