// extensionTestsPath for @vscode/test-electron (test/e2e/electron.ts): the same host tests, in a
// downloaded VS Code instead of code-server. Rejects when any test fails, as test-electron expects.
const vscode = require('vscode');
const { runHostTests } = require('./runHostTests');

exports.run = async function run() {
  const { tests, pending } = await runHostTests({
    vscode,
    testsDir: process.env.AGENT_AUTH_HOST_TESTS,
    mochaPath: process.env.AGENT_AUTH_MOCHA,
  });
  for (const t of tests) console.log(`${t.ok ? '✔' : '✘'} ${t.title}${t.error ? `\n${t.error}` : ''}`);
  for (const p of pending) console.log(`- ${p}`);
  const failed = tests.filter((t) => !t.ok).length;
  console.log(`${tests.length - failed} passed, ${failed} failed`);
  if (failed || tests.length === 0) throw new Error(`${failed} of ${tests.length} host tests failed`);
};
