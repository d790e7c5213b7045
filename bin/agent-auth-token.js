#!/usr/bin/env node
'use strict';
// agent-auth-token for every platform: a fresh token from the VS Code window (Agent Auth) that
// opened this terminal, asked over its private socket (a Unix socket, or a named pipe on Windows)
// named by $AGENT_AUTH_IPC, with the window's nonce from $AGENT_AUTH_NONCE. Same modes, output and
// exit statuses as the POSIX script bin/agent-auth-token, which stays the fast path on Linux and
// macOS and uses this file when neither perl nor curl is present. On Windows bin/agent-auth-token.cmd
// runs it for cmd and PowerShell. No dependencies: Node's own http client speaks to the window.
//
// `agent-auth-token.js --request PATH` (used by the POSIX script) sends one request and prints
// the answer; the exit status says what happened, and 3 (no window) prints nothing.
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const USAGE = [
  'Usage: agent-auth-token [--id-token] [PROVIDER]',
  '         print an access token (e.g. for Claude Code apiKeyHelper); --id-token: the OpenID Connect ID token',
  '       agent-auth-token git-credential [PROVIDER] get',
  '         git credential helper: username=oauth2, password=<token>',
  '       agent-auth-token kubectl [--id-token] [PROVIDER]',
  '         print a Kubernetes ExecCredential (client.authentication.k8s.io/v1); --id-token: as kubelogin does',
  '       agent-auth-token exec [--provider PROVIDER] [--] COMMAND [ARG...]',
  "         run COMMAND with the token in the provider's variable (e.g. ACME_TOKEN)",
  '',
  'PROVIDER may also be given as --provider PROVIDER. Without it, the only signed-in provider is used.',
  'PROVIDER@ACCOUNT names one account of a provider with several (e.g. acme@alice); PROVIDER alone is its default account.',
  'Exit status: 0 ok, 1 no token (the reason is on stderr), 2 usage, 3 no VS Code window, 4 channel failure.',
].join('\n');

const CLOSED = 'Agent Auth: the VS Code window that opened this terminal is closed; open a new terminal.';
const NOT_OPENED =
  'Agent Auth: this shell was not opened by VS Code with Agent Auth (AGENT_AUTH_IPC is not set), and no VS Code window serves agent-auth-token user-wide (setting agentAuth.helper.userWide); open a new VS Code terminal.';
const USER_WIDE_CLOSED =
  'Agent Auth: no VS Code window serving agent-auth-token user-wide (setting agentAuth.helper.userWide) is open; open VS Code.';

class Exit extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
const usageError = (message) => new Exit(2, `agent-auth-token: ${message}`);

/** The command line, as the POSIX script reads it; throws Exit(2) for bad usage. */
function parseArgs(argv) {
  let format = 'raw';
  let provider = '';
  let idToken = false;
  const args = [...argv];
  const first = args[0];
  if (first === '-h' || first === '--help' || first === 'help') return { help: true };
  if (first === 'git-credential' || first === 'kubectl' || first === 'exec') {
    format = first === 'git-credential' ? 'git' : first;
    args.shift();
  }
  while (args.length) {
    const a = args[0];
    if (a === '-h' || a === '--help') return { help: true };
    if (a === '-p' || a === '--provider') {
      if (args.length < 2) throw usageError(`${a} needs a provider id`);
      provider = args[1];
      args.splice(0, 2);
    } else if (a.startsWith('--provider=')) {
      provider = a.slice('--provider='.length);
      args.shift();
    } else if (a === '--id-token') {
      idToken = true;
      args.shift();
    } else if (a === '--') {
      args.shift();
      break;
    } else if (a.startsWith('-')) throw usageError(`unknown option ${a} (see --help)`);
    else break;
  }
  let action;
  if (format === 'git') {
    if (args.length < 1) throw usageError('git-credential needs an action: get, store or erase');
    if (args.length === 2 && !provider) provider = args.shift();
    if (args.length !== 1) throw usageError('usage: agent-auth-token git-credential [PROVIDER] get');
    action = args[0];
  } else if (format === 'exec') {
    if (args.length < 1) throw usageError('usage: agent-auth-token exec [--provider PROVIDER] [--] COMMAND [ARG...]');
  } else {
    if (args.length >= 1 && !provider) provider = args.shift();
    if (args.length) throw usageError(`unexpected argument ${args[0]} (see --help)`);
  }
  if (idToken && format !== 'raw' && format !== 'kubectl')
    throw usageError('--id-token works only alone or with kubectl');
  // PROVIDER[@ACCOUNT]: the characters of ACCOUNT_REF in src/protocol/ids.ts (the extension checks the whole rule).
  if (/[^A-Za-z0-9._@+-]/.test(provider)) throw usageError(`"${provider}" is not a provider id (optionally @account)`);
  return { format, provider, idToken, action, command: format === 'exec' ? args : undefined };
}

function requestPath({ format, provider, idToken, git }, env) {
  let path = `/v1/token?format=${format}`;
  if (provider) path += `&provider=${encodeURIComponent(provider)}`;
  if (git) path += `&protocol=${git.protocol}&host=${git.host}`;
  if (format === 'kubectl')
    path += `&api=${/client\.authentication\.k8s\.io\/v1beta1/.test(env.KUBERNETES_EXEC_INFO || '') ? 'v1beta1' : 'v1'}`;
  if (idToken) path += '&token=id';
  return path;
}

/**
 * Where the user-wide helper's files are: the same rule as userWideDir in src/helper/userWide.ts
 * (Linux: $XDG_RUNTIME_DIR/agent-auth, else ~/.cache/agent-auth; macOS: ~/Library/Application
 * Support/agent-auth; Windows: %LOCALAPPDATA%\agent-auth).
 */
function userWideDir(env, platform = process.platform, home = os.homedir()) {
  if (platform === 'win32')
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'agent-auth');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'agent-auth');
  const xdg = env.XDG_RUNTIME_DIR;
  return xdg && xdg.startsWith('/')
    ? path.posix.join(xdg, 'agent-auth')
    : path.posix.join(home, '.cache', 'agent-auth');
}

const NONCE = /^[A-Za-z0-9_-]+$/;

/**
 * Where the window listens, and its nonce: the terminal's own window ($AGENT_AUTH_IPC), else the
 * window serving the user-wide socket (its user.ipc file). Throws Exit(3) when there is neither.
 */
function channel(env) {
  if (env.AGENT_AUTH_IPC) {
    if (!NONCE.test(env.AGENT_AUTH_NONCE || '')) {
      throw new Exit(3, 'Agent Auth: AGENT_AUTH_NONCE is missing or malformed; open a new VS Code terminal.');
    }
    return { ipc: env.AGENT_AUTH_IPC, nonce: env.AGENT_AUTH_NONCE, closed: CLOSED };
  }
  let text;
  try {
    text = fs.readFileSync(path.join(userWideDir(env), 'user.ipc'), 'utf8');
  } catch {
    throw new Exit(3, NOT_OPENED);
  }
  const [ipc, nonce] = text.split('\n');
  if (!ipc || !NONCE.test(nonce || '')) throw new Exit(3, NOT_OPENED);
  return { ipc, nonce, closed: USER_WIDE_CLOSED };
}

/** One GET to the window; resolves to the 200 body, or rejects with Exit(1) (refused, its reason), Exit(3) (no window) or Exit(4). */
function ask(ch, path) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: ch.ipc,
      path,
      headers: { Host: 'agent-auth', 'X-Agent-Auth-Nonce': ch.nonce, Connection: 'close' },
      agent: false,
    });
    req.on('error', (err) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new Exit(3));
      else reject(new Exit(4, `Agent Auth: cannot reach the token helper: ${err.message}`));
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (err) => reject(new Exit(4, `Agent Auth: the token helper connection broke: ${err.message}`)));
      res.on('end', () => {
        if (!res.complete) return reject(new Exit(4, 'Agent Auth: the token helper sent an incomplete answer.'));
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(body);
        else reject(Object.assign(new Exit(1), { body }));
      });
    });
    req.end();
  });
}

/**
 * git sends attributes (key=value lines) up to an empty line. The window decides from protocol and
 * host whether git may have the token (https, or http to a loopback host; the provider's hosts).
 */
function readCredentialInput(stdin) {
  return new Promise((resolve) => {
    let seen = '';
    const done = () => {
      stdin.removeListener('data', onData);
      stdin.pause();
      const attrs = {};
      for (const line of seen.split(/\r?\n/)) {
        if (!line) break;
        const eq = line.indexOf('=');
        if (eq > 0) attrs[line.slice(0, eq)] = line.slice(eq + 1);
      }
      resolve(attrs);
    };
    const onData = (d) => {
      seen += d;
      if (seen.startsWith('\n') || seen.includes('\n\n') || seen.startsWith('\r\n') || seen.includes('\n\r\n')) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
  });
}

const META = /([()\][%!^"`<>&|;, *?])/g;
const envGet = (env, name) => env[Object.keys(env).find((k) => k.toUpperCase() === name) ?? name];

/**
 * How to start `command` on this platform: the same rules as commandLine in src/vscode/commandLine.ts
 * (a test keeps the two equal). On Windows a command is looked up on PATH with PATHEXT, and a .cmd
 * or .bat shim (claude.cmd) runs through cmd.exe with every argument escaped.
 */
function commandLine(command, args, platform, env, isFile) {
  if (platform !== 'win32') return { file: command, args: [...args] };
  const exts = (envGet(env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  const names = exts.some((e) => command.toUpperCase().endsWith(e.toUpperCase()))
    ? [command]
    : exts.map((e) => command + e.toLowerCase());
  const dirs =
    /[\\/]/.test(command) || path.win32.isAbsolute(command)
      ? ['']
      : (envGet(env, 'PATH') ?? '').split(';').filter(Boolean);
  let found;
  for (const dir of dirs) {
    found = names.map((n) => (dir ? path.win32.join(dir, n) : n)).find(isFile);
    if (found) break;
  }
  if (!found || !/\.(cmd|bat)$/i.test(found)) return { file: found ?? command, args: [...args] };
  const twice = /node_modules[\\/]\.bin[\\/][^\\/]+\.cmd$/i.test(found);
  const escape = (a) => {
    const q = `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1')}"`.replace(META, '^$1');
    return twice ? q.replace(META, '^$1') : q;
  };
  const line = [found.replace(META, '^$1'), ...args.map(escape)].join(' ');
  return {
    file: envGet(env, 'COMSPEC') ?? 'cmd.exe',
    args: ['/d', '/s', '/c', `"${line}"`],
    windowsVerbatimArguments: true,
  };
}

const isFileOnDisk = (p) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Runs the command with the token in its environment only and returns its exit status. Node cannot exec(), so it waits and forwards signals. */
function runWithToken(command, name, token, env) {
  return new Promise((resolve, reject) => {
    const line = commandLine(command[0], command.slice(1), process.platform, env, isFileOnDisk);
    const child = spawn(line.file, line.args, {
      stdio: 'inherit',
      env: { ...env, [name]: token },
      windowsVerbatimArguments: line.windowsVerbatimArguments,
    });
    const forward = (sig) => () => child.kill(sig);
    const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP']
      .filter((s) => process.platform !== 'win32' || s !== 'SIGHUP')
      .map((s) => [s, forward(s)]);
    for (const [s, h] of handlers) process.on(s, h);
    child.on('error', (err) =>
      reject(new Exit(err.code === 'ENOENT' ? 127 : 126, `agent-auth-token: ${command[0]}: ${err.message}`)),
    );
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.removeListener(s, h);
      if (signal) {
        // Die of the same signal, as the exec'd command would have.
        process.kill(process.pid, signal);
        resolve(128 + (require('node:os').constants.signals[signal] || 0));
      } else resolve(code ?? 1);
    });
  });
}

async function main(argv, env) {
  if (argv[0] === '--request') {
    // The POSIX script has found the channel and says what a closed one means.
    const body = await ask({ ipc: env.AGENT_AUTH_IPC, nonce: env.AGENT_AUTH_NONCE }, argv[1] || '/');
    process.stdout.write(body);
    return 0;
  }
  const opts = parseArgs(argv);
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.format === 'git') {
    const attrs = await readCredentialInput(process.stdin);
    if (opts.action !== 'get') return 0; // store/erase: the token lives in VS Code, nothing to keep or forget
    // Only characters a scheme or a host[:port] can have go into the request (as the POSIX script checks).
    if (!/^[a-z]+$/.test(attrs.protocol || ''))
      throw new Exit(1, 'Agent Auth: git sent no usable protocol; no password.');
    if (!/^[\]A-Za-z0-9.:[-]+$/.test(attrs.host || ''))
      throw new Exit(1, 'Agent Auth: git sent no usable host; no password.');
    opts.git = { protocol: attrs.protocol, host: attrs.host };
  }
  const ch = channel(env);
  let body;
  try {
    body = await ask(ch, requestPath(opts, env));
  } catch (err) {
    if (err instanceof Exit && err.status === 3 && !err.message) throw new Exit(3, ch.closed);
    throw err;
  }
  if (opts.format !== 'exec') {
    process.stdout.write(body);
    return 0;
  }
  const text = body.toString('utf8');
  const nl = text.indexOf('\n');
  const name = text.slice(0, nl);
  // ENV_VAR_NAME of src/protocol/envVars.ts (test/security/oneDefinition.test.ts checks the copy).
  if (nl < 0 || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name))
    throw new Exit(4, 'Agent Auth: the token helper sent no valid answer.');
  return runWithToken(opts.command, name, text.slice(nl + 1).replace(/\n$/, ''), env);
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (status) => {
      process.exitCode = status;
    },
    (err) => {
      if (!(err instanceof Exit)) {
        process.stderr.write(`Agent Auth: ${err && err.message}\n`);
        process.exitCode = 4;
        return;
      }
      if (err.body) process.stderr.write(err.body);
      else if (err.message) process.stderr.write(`${err.message}\n`);
      process.exitCode = err.status;
    },
  );
}

module.exports = { commandLine, parseArgs, requestPath, userWideDir, USAGE };
