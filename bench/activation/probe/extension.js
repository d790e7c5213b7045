// Installed beside Agent Auth by bench/activation/inHost.ts. The Node extension host records
// `code/extHost/{will,did}{LoadExtensionCode,ActivateExtension}/<id>` performance marks around
// every activation (the same Date.now() stamps behind "Developer: Show Running Extensions"),
// in `globalThis.MonacoPerformanceMarks`, which extensions share with the host. The probe waits for
// Agent Auth (activated on startup), then activates github-authentication while the host is idle
// (it activates on demand only) and writes the marks of both to $AGENT_AUTH_BENCH_PROBE_OUT.
const fs = require('fs');
const vscode = require('vscode');

const OURS = 'agentauth.agent-auth';
const PEER = 'vscode.github-authentication';
const MARK =
  /^code\/extHost\/(willLoadExtensionCode|didLoadExtensionCode|willActivateExtension|didActivateExtension)\/(.+)$/;

exports.activate = function activate() {
  const out = process.env.AGENT_AUTH_BENCH_PROBE_OUT;
  if (out)
    void probe().then(
      (r) => write(out, r),
      (e) => write(out, { error: String(e && e.message ? e.message : e) }),
    );
};

async function probe() {
  const ours = vscode.extensions.getExtension(OURS);
  const peer = vscode.extensions.getExtension(PEER);
  if (!ours) throw new Error(`${OURS} is not installed in this extension host`);
  if (!peer) throw new Error(`${PEER} does not run in this (Node) extension host; is remote.extensionKind set?`);
  const deadline = Date.now() + 60000;
  while (!ours.isActive) {
    if (Date.now() > deadline) throw new Error(`${OURS} did not activate within 60 s`);
    await sleep(100);
  }
  await sleep(1000); // let startup settle so the peer's activation runs alone
  await peer.activate();
  const marks = {};
  for (const m of globalThis.MonacoPerformanceMarks ? globalThis.MonacoPerformanceMarks.getMarks() : []) {
    const hit = MARK.exec(m.name);
    if (hit && (hit[2] === OURS || hit[2] === PEER)) (marks[hit[2]] ??= {})[hit[1]] = m.startTime;
  }
  return { marks, node: process.version };
}

function write(file, result) {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(result));
  fs.renameSync(`${file}.tmp`, file);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
