import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of one host:port that counts the bytes each way: what a client
 * really puts on the wire, the headers its fetch adds included.
 */
export class CountingProxy {
  bytesUp = 0;
  bytesDown = 0;
  origin = '';
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<CountingProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    const proxy = new CountingProxy(server);
    server.on('connection', (client) => {
      const upstream = connect(Number(port), hostname);
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('close', () => proxy.sockets.delete(s));
        s.on('error', () => [client, upstream].forEach((x) => x.destroy()));
      }
      client.on('data', (d: Buffer) => (proxy.bytesUp += d.length));
      upstream.on('data', (d: Buffer) => (proxy.bytesDown += d.length));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return proxy;
  }

  /** The proxy's address for a URL of the target. */
  url(targetUrl: string): string {
    const u = new URL(targetUrl);
    return `${this.origin}${u.pathname}${u.search}`;
  }

  reset(): void {
    this.bytesUp = this.bytesDown = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
