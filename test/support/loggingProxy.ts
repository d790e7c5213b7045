import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { appendFileSync } from 'node:fs';
import { Server } from 'proxy-chain';

/**
 * A real forward proxy on loopback (proxy-chain, the proxy Apify maintains): HTTP requests and
 * CONNECT tunnels, optional Basic authentication (407), and a log of every request. Host names in
 * `hosts` resolve to the given address inside the proxy only, so a client that bypasses it cannot
 * reach them at all.
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
  /** What the proxy did: passed it on, or answered 407. */
  outcome: 'forwarded' | '407';
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
  const lookup = ((hostname: string, options: unknown, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    const mapped = hosts[hostname.toLowerCase()];
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
      const entry: ProxyLogEntry = {
        at: new Date().toISOString(),
        method: request.method ?? '?',
        target: `${hostname}:${port}`,
        userAgent: String(request.headers['user-agent'] ?? ''),
        auth: !presented ? 'none' : ok ? 'accepted' : 'rejected',
        outcome: ok ? 'forwarded' : '407',
      };
      log.push(entry);
      if (o.logFile) appendFileSync(o.logFile, `${JSON.stringify(entry)}\n`);
      return ok ? { dnsLookup: lookup } : { requestAuthentication: true };
    },
  });
  await server.listen();
  const url = `http://127.0.0.1:${server.port}`;
  const c = o.credentials;
  return {
    url,
    urlWithCredentials: c && `http://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@127.0.0.1:${server.port}`,
    log,
    forwardedTo: (host) => log.filter((e) => e.outcome === 'forwarded' && e.target.startsWith(`${host.toLowerCase()}:`)),
    close: () => server.close(true),
  };
}
