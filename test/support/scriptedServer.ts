import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * A loopback HTTP server whose answers each test scripts: the "broken or hostile server" peer
 * for the protocol layer. Records every request it sees.
 */
export class ScriptedServer {
  handler: Handler = (_req, res) => res.writeHead(404).end();
  readonly requests: { method: string; path: string; body: string }[] = [];
  private server!: Server;
  origin = '';

  async start(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', body });
        this.handler(req, res, body);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, host, r));
    this.origin = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
    return (_req, res) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
