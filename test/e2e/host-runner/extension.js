// Installed next to Agent Auth by test/e2e/run.ts, which passes the paths below in the environment
// of code-server (the extension host inherits it; AGENT_AUTH_HOST_ONLY, comma-separated test file
// names, narrows the run). Runs the host tests once per start and writes
// { tests, pending } or { error } as JSON for the harness to report; meanwhile <results>.running
// names the test under way.
const fs = require('fs');
const vscode = require('vscode');
const { runHostTests } = require('./runHostTests');
const { startMcpDriver } = require('./mcpDriver');

exports.activate = function activate(context) {
  // The MCP folder (newest host) and the child-process folder (every host) are served the same way.
  for (const dir of [process.env.AGENT_AUTH_E2E_MCP_DIR, process.env.AGENT_AUTH_E2E_CHILD_DIR]) {
    if (dir) context.subscriptions.push(startMcpDriver(vscode, dir));
  }
  const resultsFile = process.env.AGENT_AUTH_HOST_RESULTS;
  const testsDir = process.env.AGENT_AUTH_HOST_TESTS;
  const mochaPath = process.env.AGENT_AUTH_MOCHA;
  if (!resultsFile || !testsDir || !mochaPath) return;
  const write = (value) => {
    fs.writeFileSync(`${resultsFile}.part`, JSON.stringify(value, null, 2));
    fs.renameSync(`${resultsFile}.part`, resultsFile);
  };
  const onTest = (title) => fs.writeFileSync(`${resultsFile}.running`, title);
  const only = process.env.AGENT_AUTH_HOST_ONLY ? process.env.AGENT_AUTH_HOST_ONLY.split(',') : undefined;
  runHostTests({ vscode, testsDir, mochaPath, only, onTest }).then(write, (e) =>
    write({ error: String((e && e.stack) || e) }),
  );
};

exports.deactivate = function deactivate() {};
