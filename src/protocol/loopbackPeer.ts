import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Which user owns the other end of a loopback TCP connection, on Linux: the kernel lists every
 * TCP socket of this network namespace in /proc/net/tcp and /proc/net/tcp6 with its owner's uid.
 * The peer's socket is the row whose local address is the connection's remote address and whose
 * remote address is ours. Used by the loopback redirect receiver to refuse a callback sent by
 * another local user (login CSRF: the authorization URL with its `state` is visible in the
 * browser launcher's command line to every user of the machine).
 */

export interface Endpoint {
  address: string;
  port: number;
}

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/**
 * The uid owning the peer's socket, or undefined when it cannot be told (not Linux, no /proc, no
 * such row). `read` is injectable for tests of the parser only.
 */
export function loopbackPeerUid(
  local: Endpoint,
  remote: Endpoint,
  read: (path: string) => string = (p) => readFileSync(p, 'latin1'),
): number | undefined {
  const wantLocal = [socketKey(remote, 4), socketKey(remote, 6)].filter(Boolean);
  const wantRemote = [socketKey(local, 4), socketKey(local, 6)].filter(Boolean);
  for (const table of TABLES) {
    let text: string;
    try {
      text = read(table);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      if (wantLocal.includes(f[1].toUpperCase()) && wantRemote.includes(f[2].toUpperCase())) {
        const uid = Number(f[7]);
        if (Number.isInteger(uid)) return uid;
      }
    }
  }
  return undefined;
}

/** "ADDR:PORT" as the kernel prints it: the address as 32-bit words in host byte order, hex. */
function socketKey(e: Endpoint, family: 4 | 6): string | undefined {
  const bytes = addressBytes(e.address, family);
  if (!bytes) return undefined;
  const le = endianness() === 'LE';
  let hex = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = le ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    hex += word.toString(16).padStart(8, '0');
  }
  return `${hex}:${e.port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/** The address as 4 (IPv4) or 16 (IPv6, IPv4 mapped into ::ffff:0:0/96) bytes. */
function addressBytes(address: string, family: 4 | 6): Buffer | undefined {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) {
    const four = Buffer.from(v4.slice(1, 5).map(Number));
    return family === 4 ? four : Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), four]);
  }
  if (family === 4 || !a.includes(':')) return undefined;
  const [head, tail] = a.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
