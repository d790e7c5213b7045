import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  /** Forward to the IdP and relay its answer. */
  | { kind: 'pass' }
  /** Answer with this status (and headers, body) without asking the IdP. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Reset the TCP connection (RST) once the request is read. */
  | { kind: 'reset' }
  /** Read the request and never answer. */
  | { kind: 'hang' }
  /** 200 with an HTML page, as a captive portal or a misrouted proxy sends. */
  | { kind: 'html' }
  /** 400 invalid_grant without asking the IdP (the refresh token is dead). */
  | { kind: 'invalidGrant' }
  /** Forward to the IdP, let it answer, and keep that answer from the client. */
  | { kind: 'hold' }
  /** Forward to the IdP and relay its answer `ms` later (see `delayedAnswers`). */
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  /** Epoch ms at which the request was fully read. */
  at: number;
  fault: Fault['kind'];
  grantType?: string;
}

/**
 * A reverse proxy on 127.0.0.1 in front of the test IdP whose behaviour each test programs per
 * request: queued faults apply to the next requests in order, then it forwards faithfully.
 * Point a session's stored token endpoint at `url(tokenEndpoint)`.
 */
export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  origin = '';
  private readonly queue: Fault[] = [];
  private pattern: ((n: number) => Fault) | undefined;
  private readonly holdWaiters: (() => void)[] = [];
  private held = 0;
  /** Answers of `delay` faults sent so far (or dropped because the client had gone). */
  delayedAnswers = 0;

  private constructor(
    private readonly target: string,
    private readonly server: Server,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(new URL(target).origin, server);
    server.on('request', (req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** The proxy's address for an IdP URL. */
  url(idpUrl: string): string {
    const u = new URL(idpUrl);
    return `${this.origin}${u.pathname}${u.search}`;
  }

  /** Queues faults for the next requests. */
  next(...faults: Fault[]): void {
    this.queue.push(...faults);
  }

  /** After the queue: `pattern(n)` decides the n-th such request (0-based), e.g. every third one fails. */
  program(pattern: ((n: number) => Fault) | undefined): void {
    this.pattern = pattern;
  }

  /** Resolves once `count` held answers have arrived from the IdP (and been withheld). */
  heldAnswers(count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.held >= count ? resolve() : this.holdWaiters.push(check));
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const fault = this.queue.shift() ?? this.pattern?.(this.requests.length) ?? { kind: 'pass' };
    const grantType = new URLSearchParams(body.toString()).get('grant_type') ?? undefined;
    this.requests.push({ at: Date.now(), fault: fault.kind, grantType });
    switch (fault.kind) {
      case 'pass':
        return this.forward(req, body).then(
          (a) => a.send(res),
          () => void res.socket?.resetAndDestroy(),
        );
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(fault.body ?? '');
        return;
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'html':
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<!doctype html><html><body><h1>Sign in to the network</h1></body></html>');
        return;
      case 'invalidGrant':
        res
          .writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify({ error: 'invalid_grant', error_description: 'grant request is invalid' }));
        return;
      case 'delay': {
        const answer = await this.forward(req, body).catch(() => undefined);
        await new Promise((r) => setTimeout(r, fault.ms));
        if (answer && !res.destroyed) answer.send(res);
        this.delayedAnswers++;
        return;
      }
      case 'hold':
        await this.forward(req, body).catch(() => undefined);
        this.held++;
        this.holdWaiters.splice(0).forEach((w) => w());
        return;
    }
  }

  private async forward(req: IncomingMessage, body: Buffer): Promise<{ send(res: ServerResponse): void }> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, String(v));
    }
    const upstream = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
      redirect: 'manual',
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    // fetch already decoded the body: its length and encoding headers no longer apply.
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
    });
    return { send: (res) => res.writeHead(upstream.status, out).end(answer) };
  }
}
