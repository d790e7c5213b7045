import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedFetch } from '../../src/protocol/http.js';
import { type Logger, silentLogger } from '../../src/protocol/log.js';
import type { IdpUserAgent } from '../fixtures/idpUserAgent.js';
import { ClientSecrets } from '../../src/session/signIn/clientContext.js';
import type { ProviderConfig, RefreshSettings } from '../../src/session/config/config.js';
import type { SessionPeers } from '../../src/session/sync/peers.js';
import { type Clock, type SecretStore, systemClock } from '../../src/session/ports.js';
import { FileRefreshLock, type RefreshLock } from '../../src/session/sync/refreshLock.js';
import type { SessionRecord } from '../../src/session/store/sessionRecord.js';
import { SessionStore } from '../../src/session/store/sessionStore.js';
import { TokenService } from '../../src/session/tokenService.js';
import type { TestIdp } from '../fixtures/idp.js';
import { JumpingClock } from './jumpingClock.js';
import { MemorySecretStore } from './memorySecretStore.js';

/** The provider entry a user would configure for the test IdP. */
export function idpProvider(idp: TestIdp, patch: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: 'dev',
    label: 'Dev IdP',
    issuer: idp.issuer,
    clientId: idp.clientId,
    scopes: ['openid', 'offline_access'],
    flow: 'authorizationCode',
    envVar: 'DEV_TOKEN',
    ...patch,
  };
}

export interface ServiceOptions {
  secrets: SecretStore;
  lockDir?: string;
  /** Replaces the file lock built on `lockDir`. */
  lock?: RefreshLock;
  clock?: Clock;
  settings?: RefreshSettings;
  /** The bounded fetch's per-request deadline. */
  timeoutMs?: number;
  staleMs?: number;
  random?: () => number;
  log?: Logger;
  /** Under the bounded fetch, in place of globalThis.fetch (to observe the traffic). */
  fetch?: typeof globalThis.fetch;
  /** The other windows, reached without SecretStorage (a PeerChannel). */
  peers?: SessionPeers;
  waitTimeoutMs?: number;
}

export interface Window {
  service: TokenService;
  store: SessionStore;
  lock: RefreshLock;
}

/** A TokenService wired as the extension wires it, over the given secrets and lock folder. */
export function lifecycleWindow(providers: ProviderConfig[], o: ServiceOptions): Window {
  const log = o.log ?? silentLogger;
  const clock = o.clock ?? systemClock;
  const store = new SessionStore(o.secrets, log, () => clock.now());
  const lock = o.lock ?? new FileRefreshLock(o.lockDir ?? tempDir('agent-auth-lock-'), { log, staleMs: o.staleMs });
  const service = new TokenService({
    store,
    secrets: o.secrets,
    lock,
    fetch: boundedFetch({ fetch: o.fetch ?? globalThis.fetch, log, timeoutMs: o.timeoutMs ?? 5_000 }),
    log,
    clock,
    refreshSettings: () => o.settings ?? { remainingFraction: 0.25, minSecondsBeforeExpiry: 60 },
    random: o.random,
    clientSecrets: new ClientSecrets(o.secrets),
    peers: o.peers,
    waitTimeoutMs: o.waitTimeoutMs,
  });
  service.setProviders(providers);
  return { service, store, lock };
}

/**
 * Signs in through the IdP's own login page, driven over HTTP in place of a browser; the
 * authorization response is delivered to the service's loopback listener like a browser would.
 */
export async function signInThroughIdp(
  service: TokenService,
  providerId: string,
  idp: TestIdp,
  o: { accountId?: string; browser?: IdpUserAgent; onAuthorizationUrl?: (url: URL) => void } = {},
): Promise<SessionRecord> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  let browser: Promise<unknown> = Promise.resolve();
  let browserError: unknown;
  try {
    const session = await service.signIn(providerId, {
      preferredFlow: 'authorizationCode',
      openBrowser: async (url) => {
        // Not awaited: the listener answers the "browser" only after the token exchange.
        o.onAuthorizationUrl?.(new URL(url));
        browser = idp.completeAuthorization(url, { deliver: true, accountId: o.accountId, browser: o.browser });
        browser.catch((e) => {
          browserError = e;
          abort.abort();
        });
        return true;
      },
      onUserCode: () => undefined,
      signal: abort.signal,
    });
    await browser;
    return session;
  } catch (e) {
    throw browserError ?? e;
  } finally {
    clearTimeout(timer);
  }
}

/** The usual start of a test: memory secrets, a jumping clock, signed in to `idp` as "dev", the IdP's counters reset. */
export async function signedInWindow(idp: TestIdp): Promise<{ w: Window; clock: JumpingClock }> {
  const clock = new JumpingClock();
  const w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), clock });
  await signInThroughIdp(w.service, 'dev', idp);
  idp.stats.reset();
  return { w, clock };
}

/** Rewrites the stored session so refreshes go to `tokenEndpoint` (a fault proxy) instead. */
export async function pointTokenEndpointAt(
  store: SessionStore,
  providerId: string,
  tokenEndpoint: string,
): Promise<void> {
  const r = await store.read(providerId);
  if (r.kind !== 'ok') throw new Error(`No stored session for ${providerId}`);
  await store.write({ ...r.session, endpoints: { ...r.session.endpoints, token_endpoint: tokenEndpoint } });
}

export async function storedSession(store: SessionStore, providerId: string): Promise<SessionRecord> {
  const r = await store.read(providerId);
  if (r.kind !== 'ok') throw new Error(`Expected a stored session for ${providerId}, found ${r.kind}`);
  return r.session;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `condition` until it holds (no fixed sleeps in tests); fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
