// Lets the e2e harness drive VS Code's MCP client from inside the extension host (no chat model
// needed): the harness writes <n>.request.json into AGENT_AUTH_E2E_MCP_DIR, this answers with
// <n>.response.json. Requests: { op: 'start', ids? } starts the MCP servers with these definition
// ids (default: every one) and waits for their tools; { op: 'stop', ids } stops them;
// { op: 'tools' } lists vscode.lm.tools; { op: 'call', tool: '<regex>' } invokes the one tool
// whose name matches (VS Code asks the user to confirm; the harness clicks).
const fs = require('fs');
const path = require('path');

exports.startMcpDriver = function startMcpDriver(vscode, dir) {
  const seen = new Set();
  const tools = () => (vscode.lm && vscode.lm.tools ? vscode.lm.tools.map((t) => t.name) : []);
  const handle = async (req) => {
    if (req.op === 'start') {
      for (const id of req.ids || ['*']) await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
      return { ok: true, tools: tools() };
    }
    if (req.op === 'stop') {
      for (const id of req.ids || []) await vscode.commands.executeCommand('workbench.mcp.stopServer', id);
      return { ok: true, tools: tools() };
    }
    if (req.op === 'tools') return { ok: true, tools: tools() };
    if (req.op === 'call') {
      const re = new RegExp(req.tool);
      const matching = tools().filter((n) => re.test(n));
      if (matching.length !== 1) return { ok: false, error: `${matching.length} tools match /${req.tool}/: ${tools().join(', ')}` };
      const result = await vscode.lm.invokeTool(matching[0], { input: req.input || {}, toolInvocationToken: undefined });
      const text = result.content.map((p) => (p && typeof p.value === 'string' ? p.value : JSON.stringify(p))).join('');
      return { ok: true, tool: matching[0], text };
    }
    return { ok: false, error: `unknown op ${req.op}` };
  };
  const timer = setInterval(() => {
    let names;
    try {
      names = fs.readdirSync(dir).filter((f) => f.endsWith('.request.json') && !seen.has(f));
    } catch {
      return;
    }
    for (const f of names) {
      seen.add(f);
      const out = path.join(dir, f.replace('.request.json', '.response.json'));
      const write = (v) => {
        fs.writeFileSync(`${out}.part`, JSON.stringify({ ...v, at: Date.now() }));
        fs.renameSync(`${out}.part`, out);
      };
      Promise.resolve()
        .then(() => handle(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))))
        .then(write, (e) => write({ ok: false, error: String((e && e.message) || e) }));
    }
  }, 200);
  return { dispose: () => clearInterval(timer) };
};
