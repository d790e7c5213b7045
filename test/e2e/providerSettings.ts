import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The User settings that point Agent Auth at the local IdP, shared by the e2e harness and the demo. */
export type Flow = 'authorizationCode' | 'deviceCode' | 'auto';

export const PROVIDER_ID = 'dev';
export const PROVIDER_LABEL = 'Dev IdP';
export const ENV_VAR = 'DEV_TOKEN';

/** `gitHosts`: the git remotes (host:port) that get the provider's token; the default is the issuer's host. */
export function agentAuthSettings(issuer: string, clientId: string, flow: Flow, gitHosts?: string[]): object {
  return {
    'agentAuth.providers': [
      {
        id: PROVIDER_ID,
        label: PROVIDER_LABEL,
        issuer,
        clientId,
        scopes: ['openid', 'offline_access'],
        flow,
        envVar: ENV_VAR,
        ...(gitHosts && { gitHosts }),
      },
    ],
  };
}

/**
 * The reference agent language server (test/fixtures/agent-server) as an agent of the provider;
 * it appends what it receives (token fingerprints only) to `record`. agentAuth.agents is
 * machine-scoped: a remote window (code-server is one) reads it from the Machine settings only.
 */
export function agentSettings(record: string): object {
  return {
    'agentAuth.agents': [
      {
        id: 'reference',
        provider: PROVIDER_ID,
        command: process.execPath,
        args: [join(repoRoot, 'test', 'fixtures', 'agent-server', 'server.js')],
        documentSelector: [{ pattern: '**/*.agentcheck' }],
        env: { AGENT_SERVER_RECORD: record, AGENT_SERVER_TOKEN_ENV: ENV_VAR },
      },
    ],
  };
}
