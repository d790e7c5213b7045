// Lets the e2e harness drive VS Code's MCP client from inside the extension host (no chat model
// needed): the harness writes <n>.request.json into AGENT_AUTH_E2E_MCP_DIR, this answers with
// <n>.response.json. Requests: { op: 'start', ids? } starts the MCP servers with these definition
// ids (default: every one) and waits for their tools; { op: 'stop', ids } stops them;
// { op: 'tools' } lists vscode.lm.tools; { op: 'call', tool: '<regex>' } invokes the one tool
// whose name matches (VS Code asks the user to confirm; the harness clicks);
// { op: 'spawn', command, args } runs a child process as any extension would, with the extension
// host's own environment, and answers its exit code, stderr and a sha256 prefix of its stdout
// (never the stdout: it may be a token); { op: 'session', scopes, url } does what api.d.ts tells
// another extension to do: vscode.authentication.getSession('agent-auth', scopes, { createIfNone:
// true }) (VS Code asks the user to allow it; the harness clicks), then Agent Auth's exported
// getAccessToken and fetchWithToken(url), answering sha256 prefixes and the HTTP status only.
const { spawn } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const fp = (t) => (t ? createHash('sha256').update(t).digest('hex').slice(0, 12) : '');

/** Asynchronous: Agent Auth answers the child's token request from this same extension host. */
function run(command, args) {
  return new Promise((resolve) => {
    const c = spawn(command, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', (e) => resolve({ ok: false, error: e.message }));
    c.on('close', (code) => {
      resolve({ ok: true, code, stderr: stderr.trim(), stdoutSha: fp(stdout.trim()) });
    });
  });
}

exports.startMcpDriver = function startMcpDriver(vscode, dir) {
  const seen = new Set();
  const tools = () => (vscode.lm && vscode.lm.tools ? vscode.lm.tools.map((t) => t.name) : []);
  const handle = async (req) => {
    if (req.op === 'start') {
      for (const id of req.ids || ['*'])
        await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
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
      if (matching.length !== 1)
        return { ok: false, error: `${matching.length} tools match /${req.tool}/: ${tools().join(', ')}` };
      const result = await vscode.lm.invokeTool(matching[0], {
        input: req.input || {},
        toolInvocationToken: undefined,
      });
      const text = result.content.map((p) => (p && typeof p.value === 'string' ? p.value : JSON.stringify(p))).join('');
      return { ok: true, tool: matching[0], text };
    }
    if (req.op === 'spawn') return run(req.command, req.args || []);
    if (req.op === 'session') {
      const session = await vscode.authentication.getSession('agent-auth', req.scopes, { createIfNone: true });
      const api = await vscode.extensions.getExtension('agentauth.agent-auth').activate();
      const { accessToken } = await api.getAccessToken(session, { minValiditySeconds: 10 });
      const res = await api.fetchWithToken(session, req.url);
      return {
        ok: true,
        account: session.account.label,
        sessionSha: fp(session.accessToken),
        tokenSha: fp(accessToken),
        status: res.status,
      };
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
