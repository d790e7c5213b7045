import { connect, type Socket } from 'node:net';

/**
 * Line-JSON framing over a local socket: one JSON value on one line each way per connection, the
 * asker's request and then the answer, after which the connection ends. A side that sends more than
 * the size cap without a newline, or stalls, is dropped. What the values mean (and their schema
 * check) is the caller's business. The token helper does not use it: it speaks HTTP, so that curl
 * and a few lines of Perl can talk to it (src/helper/protocol.ts).
 */

export interface LineLimits {
  /** A connection that sends more than this before its newline is dropped. */
  maxBytes: number;
  /** A connection idle this long is dropped; an exchange that has no answer by then gives up. */
  timeoutMs: number;
}

/** `value` as one line of JSON, newline included. */
export const jsonLine = (value: unknown): string => JSON.stringify(value) + '\n';

/** Calls `onLine` with the first line (without its newline); drops a connection that sends too much or stalls. */
export function readLine(socket: Socket, limits: LineLimits, onLine: (line: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  socket.setTimeout(limits.timeoutMs, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    const nl = chunk.indexOf(0x0a);
    chunks.push(nl < 0 ? chunk : chunk.subarray(0, nl));
    size += chunk.length;
    if (nl >= 0) {
      done = true;
      onLine(Buffer.concat(chunks).toString('utf8'));
    } else if (size > limits.maxBytes) {
      done = true;
      socket.destroy();
    }
  });
}

/** The serving side: the first line parsed as JSON, for `onMessage`; a line that is not JSON drops the connection. */
export function readJsonLine(socket: Socket, limits: LineLimits, onMessage: (message: unknown) => void): void {
  readLine(socket, limits, (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return void socket.destroy();
    }
    onMessage(parsed);
  });
}

/** The serving side's answer: one line of JSON, then the connection ends. */
export function replyLine(socket: Socket, value: unknown): void {
  socket.end(jsonLine(value));
}

/**
 * The asking side: connects to `path`, sends `line` (see jsonLine) and resolves the answer's first
 * line parsed as JSON; undefined when the peer is gone, does not answer in time or answers no JSON.
 */
export function exchangeLine(path: string, line: string, limits: LineLimits): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (answer: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), limits.timeoutMs);
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write(line));
    readLine(socket, limits, (reply) => {
      try {
        done(JSON.parse(reply));
      } catch {
        done(undefined);
      }
    });
    socket.once('close', () => done(undefined));
  });
}
