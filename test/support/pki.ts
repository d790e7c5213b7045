import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private certificate authority for tests, made with Debian's openssl (Node's crypto can parse
 * certificates but not issue them). EC P-256 keys: each certificate costs a few milliseconds.
 */

/** A host name no resolver knows: the proxy maps it to the test IdP's loopback address. */
export const TEST_IDP_HOST = 'idp.agent-auth.test';

export interface KeyAndCert {
  key: string;
  cert: string;
  certFile: string;
}

export interface TestPki {
  dir: string;
  /** The CA certificate (PEM): what a machine must trust. */
  ca: KeyAndCert;
  /** Issued by the CA for `names` (DNS) and `ips`, valid for a day. */
  server: KeyAndCert;
  /** Issued by the CA for the same names, but expired yesterday. */
  expired: KeyAndCert;
  /** Issued by the CA for another name only. */
  otherName: KeyAndCert;
  /** Signed by itself, for the same names. */
  selfSigned: KeyAndCert;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createPki(opts: { names: string[]; ips?: string[]; dir?: string; caName?: string }): TestPki {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'agent-auth-pki-'));
  mkdirSync(dir, { recursive: true });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const read = (name: string): KeyAndCert => ({
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    certFile: join(dir, `${name}.pem`),
  });
  const caName = opts.caName ?? 'Agent Auth Test CA';
  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${caName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );

  const san = (names: string[], ips: string[]) =>
    [...names.map((n) => `DNS:${n}`), ...ips.map((i) => `IP:${i}`)].join(',');
  const leaf = (name: string, subjectAltName: string, days: string, selfSigned = false) => {
    writeFileSync(
      join(dir, `${name}.ext`),
      `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
    );
    openssl(['req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${opts.names[0]}`], dir);
    const signer = selfSigned ? ['-signkey', `${name}.key`] : ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'];
    // -days -1 puts the end of validity a day before its start: expired whenever it is checked.
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        ...signer,
        '-out',
        `${name}.pem`,
        '-days',
        days,
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
    return read(name);
  };
  const names = san(opts.names, opts.ips ?? []);
  return {
    dir,
    ca: read('ca'),
    server: leaf('server', names, '1'),
    expired: leaf('expired', names, '-1'),
    otherName: leaf('other-name', 'DNS:other.agent-auth.test', '1'),
    selfSigned: leaf('self-signed', names, '1', true),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
