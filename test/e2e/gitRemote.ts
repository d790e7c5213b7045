import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestIdp } from '../fixtures/idp.js';
import { introspect } from '../support/idpChecks.js';
import { sha256Prefix } from './world.js';

/** One request the remote saw: what git asked for and whether its password was a live token at the IdP (fingerprint only). */
export interface GitRequest {
  method: string;
  path: string;
  user?: string;
  tokenSha?: string;
  active?: boolean;
  status: number;
}

export interface GitRemote {
  /** http://127.0.0.2:PORT/repo.git */
  url: string;
  /** host:port, for gitHosts. */
  host: string;
  bareDir: string;
  log: GitRequest[];
  close(): Promise<void>;
}

/**
 * A git remote over HTTP: Debian's `git http-backend` (CGI) behind a Node server on 127.0.0.2 that
 * lets a request through only when its Basic password is a token the test IdP says is active
 * (RFC 7662 introspection). Anything else gets 401 and a Basic challenge, so git asks for credentials.
 */
export async function startGitRemote(root: string, idp: TestIdp): Promise<GitRemote> {
  const bareDir = join(root, 'repo.git');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bareDir]);
  execFileSync('git', ['-C', bareDir, 'config', 'http.receivepack', 'true']);
  const log: GitRequest[] = [];
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://remote');
    const entry: GitRequest = { method: req.method ?? '', path: `${url.pathname}${url.search}`, status: 401 };
    log.push(entry);
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (m) {
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      entry.user = decoded.slice(0, i);
      const token = decoded.slice(i + 1);
      entry.tokenSha = sha256Prefix(token);
      entry.active = (await introspect(idp, token)).active;
    }
    if (!entry.active) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="agent-auth e2e"' }).end();
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method,
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: entry.user,
        REMOTE_ADDR: '127.0.0.2',
        ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
        ...(req.headers['git-protocol'] && { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
      },
    });
    req.pipe(cgi.stdin);
    const out: Buffer[] = [];
    cgi.stdout.on('data', (d: Buffer) => out.push(d));
    await new Promise((r) => cgi.on('close', r));
    const raw = Buffer.concat(out);
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head) {
      const [k, v] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()];
      if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
      else if (k) headers[k] = v;
    }
    entry.status = status;
    res.writeHead(status, headers).end(raw.subarray(split + 4));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.2:${port}/repo.git`,
    host: `127.0.0.2:${port}`,
    bareDir,
    log,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
