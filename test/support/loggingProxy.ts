import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { appendFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { RequestError, Server } from 'proxy-chain';

/**
 * A real forward proxy on loopback (proxy-chain, the proxy Apify maintains): HTTP requests and
 * CONNECT tunnels, optional Basic authentication (407), and a log of every request. Host names in
 * `hosts` resolve to the given address inside the proxy only, so a client that bypasses it cannot
 * reach them at all. Like a company proxy's allow-list, it forwards only to those names and to
 * loopback addresses and answers 403 to anything else, so no test traffic leaves the machine.
 */

export interface ProxyLogEntry {
  /** ISO time. */
  at: string;
  /** CONNECT for a tunnel (https), else the HTTP method of a forwarded request. */
  method: string;
  /** host:port asked for. */
  target: string;
  /** The client's User-Agent: Chromium sends one with CONNECT, the extension host's undici does not. */
  userAgent: string;
  /** Credentials present, and whether they were the right ones. */
  auth: 'none' | 'accepted' | 'rejected';
  /** What the proxy did: passed it on, answered 407, or refused a target off its allow-list (403). */
  outcome: 'forwarded' | '407' | '403';
}

export interface LoggingProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The same with the user name and password, as a user would put it in http.proxy. */
  urlWithCredentials?: string;
  log: ProxyLogEntry[];
  /** Forwarded requests and tunnels to `host` (any port). */
  forwardedTo(host: string): ProxyLogEntry[];
  close(): Promise<void>;
}

export interface LoggingProxyOptions {
  /** Names only this proxy resolves, e.g. { 'idp.agent-auth.test': '127.0.0.2' }. */
  hosts?: Record<string, string>;
  /** Ask for these with 407 Proxy Authentication Required (Basic). */
  credentials?: { username: string; password: string };
  /** Each entry is appended here as one JSON line. */
  logFile?: string;
}

export async function startLoggingProxy(o: LoggingProxyOptions = {}): Promise<LoggingProxy> {
  const log: ProxyLogEntry[] = [];
  const hosts = o.hosts ?? {};
  const lookup = ((
    hostname: string,
    options: unknown,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const mapped = Object.hasOwn(hosts, hostname.toLowerCase()) ? hosts[hostname.toLowerCase()] : undefined;
    if (!mapped) return dnsLookup(hostname, options as object, callback as never);
    const family = mapped.includes(':') ? 6 : 4;
    if ((options as { all?: boolean })?.all) callback(null, [{ address: mapped, family }]);
    else callback(null, mapped, family);
  }) as unknown as typeof dnsLookup;

  const server = new Server({
    port: 0,
    host: '127.0.0.1',
    authRealm: 'agent-auth-test',
    prepareRequestFunction: ({ request, username, password, hostname, port }) => {
      const presented = username !== '' || password !== '';
      const ok = !o.credentials || (username === o.credentials.username && password === o.credentials.password);
      const allowed = Object.hasOwn(hosts, hostname.toLowerCase()) || isLoopback(hostname);
      const entry: ProxyLogEntry = {
        at: new Date().toISOString(),
        method: request.method ?? '?',
        target: `${hostname}:${port}`,
        userAgent: String(request.headers['user-agent'] ?? ''),
        auth: !presented ? 'none' : ok ? 'accepted' : 'rejected',
        outcome: !ok ? '407' : allowed ? 'forwarded' : '403',
      };
      log.push(entry);
      if (o.logFile) appendFileSync(o.logFile, `${JSON.stringify(entry)}\n`);
      if (!ok) return { requestAuthentication: true };
      if (!allowed) throw new RequestError(`${entry.target} is not on this test proxy's allow-list`, 403);
      return { dnsLookup: lookup };
    },
  });
  await server.listen();
  const url = `http://127.0.0.1:${server.port}`;
  const c = o.credentials;
  return {
    url,
    urlWithCredentials:
      c && `http://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@127.0.0.1:${server.port}`,
    log,
    forwardedTo: (host) =>
      log.filter((e) => e.outcome === 'forwarded' && e.target.startsWith(`${host.toLowerCase()}:`)),
    close: () => server.close(true),
  };
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}
