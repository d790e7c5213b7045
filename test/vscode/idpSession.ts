import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedFetch } from '../../src/protocol/http.js';
import { silentLogger } from '../../src/protocol/log.js';
import type { ProviderConfig } from '../../src/session/config/config.js';
import { systemClock } from '../../src/session/ports.js';
import { FileRefreshLock } from '../../src/session/sync/refreshLock.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { TokenService } from '../../src/session/tokenService.js';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { MemorySecrets } from './sessions.js';

export interface IdpWorld {
  idp: TestIdp;
  service: TokenService;
  provider: ProviderConfig;
  /** Signs in through the IdP's login page (driven over HTTP, no browser). */
  signIn(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real TokenService against the local test IdP (oidc-provider), with SecretStorage in memory:
 * tokens, refreshes and sign-outs are the real thing, only no browser is involved.
 */
export async function idpWorld(
  opts: { providerId?: string; envVar?: string; accessTokenTtl?: number } = {},
): Promise<IdpWorld> {
  const idp = await startTestIdp({ accessTokenTtl: opts.accessTokenTtl ?? 600 });
  const log = silentLogger;
  const provider: ProviderConfig = {
    id: opts.providerId ?? 'dev',
    label: 'Dev IdP',
    issuer: idp.issuer,
    clientId: idp.clientId,
    scopes: ['openid', 'offline_access'],
    flow: 'authorizationCode',
    envVar: opts.envVar ?? 'DEV_TOKEN',
  };
  const secrets = new MemorySecrets();
  const service = new TokenService({
    store: new SessionStore(secrets, log),
    secrets,
    lock: new FileRefreshLock(mkdtempSync(join(tmpdir(), 'agent-auth-lock-')), { log }),
    fetch: boundedFetch({ fetch: globalThis.fetch, log, timeoutMs: 5_000 }),
    log,
    clock: systemClock,
    refreshSettings: () => ({ remainingFraction: 0.25, minSecondsBeforeExpiry: 60 }),
  });
  service.setProviders([provider]);
  return {
    idp,
    service,
    provider,
    async signIn() {
      await service.signIn(provider.id, {
        preferredFlow: 'authorizationCode',
        openBrowser: async (url) => {
          void idp.completeAuthorization(url, { deliver: true }).catch(() => undefined);
          return true;
        },
        onUserCode: () => undefined,
        signal: AbortSignal.timeout(15_000),
      });
    },
    async close() {
      service.dispose();
      await idp.close();
    },
  };
}
