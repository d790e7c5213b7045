/**
 * Runs the development identity provider (test/fixtures/idp.ts) on its own, for the demo and
 * for trying the extension by hand.
 *
 *   npx tsx scripts/dev-idp.ts [--host 127.0.0.2] [--port 0] [--ttl 120] [--no-rotation] [--resource-server]
 *
 * The first line on stdout is JSON: {"issuer": "...", "clientId": "..."} (plus "resource" with
 * --resource-server); human-readable notes follow. Stops on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { RESOURCE_PATH, startTestIdp } from '../test/fixtures/idp.js';

function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, not "${value}".`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      ttl: { type: 'string' },
      'no-rotation': { type: 'boolean' },
      'resource-server': { type: 'boolean' },
    },
  });
  const idp = await startTestIdp({
    host: values.host,
    port: numberOption('port', values.port, 0, 65535),
    accessTokenTtl: numberOption('ttl', values.ttl, 1, 86400),
    rotateRefreshTokens: !values['no-rotation'],
    resourceServer: values['resource-server'],
  });
  const resource = values['resource-server'] ? `${idp.issuer}${RESOURCE_PATH}` : undefined;
  console.log(JSON.stringify({ issuer: idp.issuer, clientId: idp.clientId, ...(resource ? { resource } : {}) }));
  console.log(
    [
      'Agent Auth development identity provider — any user name works, no password.',
      `  issuer        ${idp.issuer}`,
      `  client id     ${idp.clientId} (public, native; redirect http://127.0.0.1:<any port>/callback)`,
      `  device codes  ${idp.issuer}/device`,
      `  access tokens ${values.ttl ?? 60} s; refresh tokens ${values['no-rotation'] ? 'reused' : 'rotated'}`,
      ...(resource ? [`  resource      ${resource} (GET ${resource}/whoami)`] : []),
      'Stop with Ctrl+C.',
    ].join('\n'),
  );

  const stop = async () => {
    await idp.close();
    const s = idp.stats;
    console.log(
      `Stopped. Token requests: ${s.tokenRequests} ${JSON.stringify(s.grants)}; revocations: ${s.revocations}; ` +
        `refresh tokens presented twice: ${s.doubleRedemptions()}.`,
    );
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
