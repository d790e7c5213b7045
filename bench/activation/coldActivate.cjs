// One cold start of an extension bundle in a fresh plain Node process (no tsx, no loader hooks):
//   node coldActivate.cjs <extension folder>
// with AGENT_AUTH_BENCH_SETTINGS (JSON) as its settings. Prints one JSON line:
// { requireMs, activateMs, activateError? }. `vscode` is the bench's fake (fakeVscode.cjs).
'use strict';
const Module = require('node:module');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createContext, createFakeVscode } = require('./fakeVscode.cjs');

async function main() {
  const folder = resolve(process.argv[2]);
  const packageJSON = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const vscode = createFakeVscode(JSON.parse(process.env.AGENT_AUTH_BENCH_SETTINGS || '{}'));
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const storage = mkdtempSync(join(tmpdir(), 'agent-auth-bench-cold-'));
  const context = createContext(folder, packageJSON, storage);

  const t0 = performance.now();
  const extension = require(join(folder, packageJSON.main));
  const t1 = performance.now();
  let activateError;
  try {
    await extension.activate(context);
  } catch (e) {
    activateError = String(e && e.message ? e.message : e).slice(0, 200);
  }
  const t2 = performance.now();

  process.stdout.write(`${JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, activateError })}\n`);
  rmSync(storage, { recursive: true, force: true });
  // Activation may leave servers and timers running (ours starts the token helper): do not wait for
  // them. The helper's socket is swept by a later start, as a crashed window's would be.
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
