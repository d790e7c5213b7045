import type { ProviderConfig } from '../../src/session/config/config.js';
import type { SessionRecord } from '../../src/session/store/sessionRecord.js';
import type { SignInUi } from '../../src/session/signIn/signIn.js';
import type { TokenService } from '../../src/session/tokenService.js';
import { GLEWLWYD_REDIRECT_URI, GLEWLWYD_SCOPES, startGlewlwyd } from '../fixtures/glewlwyd.js';
import { startTestIdp, type IdpStats } from '../fixtures/idp.js';

/**
 * What the interop suites need from a real IdP, so one test body runs against each of them:
 * oidc-provider (test/fixtures/idp.ts) and Glewlwyd (test/fixtures/glewlwyd.ts).
 */
export interface InteropIdp {
  /** As printed in the `interop: <name> …` line. */
  name: string;
  issuer: string;
  /** A public client whose refresh tokens rotate on every use. */
  rotatingClientId: string;
  /** A public client whose refresh token stays the same (see `prepareStaticClient`). */
  staticClientId: string;
  scopes: string[];
  userinfoEndpoint: string;
  stats: IdpStats;
  /** The redirect URI registered at an IdP that compares them exactly; undefined for any-port loopback. */
  registeredRedirectUri?: string;
  /** The browser: signs in (and consents) at the authorization URL; returns the redirect to the client, not requested. */
  authorize(authorizationUrl: string): Promise<string>;
  approveDevice(userCode: string): Promise<void>;
  /** Call before using `staticClientId` (oidc-provider rotates per server, not per client). */
  prepareStaticClient(): void;
  /** Call before using `rotatingClientId`. */
  prepareRotatingClient(): void;
  /** Whether a public client may call the revocation endpoint with only its client_id. */
  publicClientMayRevoke: boolean;
  close(): Promise<void>;
}

export interface InteropIdpOptions {
  /** Seconds; default 60. */
  accessTokenTtl?: number;
}

export interface InteropIdpFactory {
  name: string;
  start(o?: InteropIdpOptions): Promise<InteropIdp>;
}

export const oidcProviderIdp: InteropIdpFactory = {
  name: 'oidc-provider',
  async start(o = {}) {
    const idp = await startTestIdp({ accessTokenTtl: o.accessTokenTtl ?? 60, rotateRefreshTokens: true });
    return {
      name: 'oidc-provider',
      issuer: idp.issuer,
      rotatingClientId: idp.clientId,
      staticClientId: idp.clientId,
      scopes: ['openid', 'offline_access'],
      userinfoEndpoint: `${idp.issuer}/me`,
      stats: idp.stats,
      authorize: (url) => idp.completeAuthorization(url),
      approveDevice: (code) => idp.approveDevice(code),
      prepareStaticClient: () => idp.setRotation(false),
      prepareRotatingClient: () => idp.setRotation(true),
      publicClientMayRevoke: true,
      close: () => idp.close(),
    };
  },
};

export const glewlwydIdp: InteropIdpFactory = {
  name: 'glewlwyd',
  async start(o = {}) {
    const g = await startGlewlwyd({ accessTokenTtl: o.accessTokenTtl });
    return {
      name: 'glewlwyd',
      issuer: g.issuer,
      rotatingClientId: g.clientId,
      staticClientId: g.staticClientId,
      scopes: GLEWLWYD_SCOPES,
      userinfoEndpoint: g.userinfoEndpoint,
      stats: g.stats,
      registeredRedirectUri: GLEWLWYD_REDIRECT_URI,
      authorize: (url) => g.authorize(url),
      approveDevice: (code) => g.approveDevice(code),
      prepareStaticClient: () => undefined,
      prepareRotatingClient: () => undefined,
      publicClientMayRevoke: false,
      close: () => g.close(),
    };
  },
};

export const INTEROP_IDPS: InteropIdpFactory[] = [oidcProviderIdp, glewlwydIdp];

/**
 * A browser for one sign-in: signs in at the IdP and delivers the redirect to the flow's loopback
 * listener. Where the IdP matches redirect URIs exactly, the authorization request names the
 * registered URI (through `externalRedirectUri`, as in a remote window) and the browser forwards
 * what arrives there to the real listener, as VS Code's port forwarding does. Failures reject
 * `done` (and `onFailure` is called, e.g. to abort the flow).
 */
export function interopBrowser(
  idp: InteropIdp,
  onFailure: (e: unknown) => void = () => undefined,
): Pick<SignInUi, 'openBrowser' | 'externalRedirectUri'> & { done: () => Promise<void> } {
  let local: string | undefined;
  let delivered: Promise<void> = Promise.resolve();
  return {
    externalRedirectUri: idp.registeredRedirectUri
      ? async (l) => {
          local = l;
          return idp.registeredRedirectUri!;
        }
      : undefined,
    async openBrowser(url) {
      delivered = (async () => {
        const location = new URL(await idp.authorize(url));
        const target = local ? new URL(local) : location;
        const forwarded = new URL(`${target.origin}${target.pathname}${location.search}`);
        await (await fetch(forwarded, { redirect: 'manual' })).arrayBuffer();
      })();
      delivered.catch(onFailure);
      return true;
    },
    done: () => delivered,
  };
}

/** The provider entry a user would configure for this IdP. */
export function interopProvider(idp: InteropIdp, patch: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: 'dev',
    label: `${idp.name} (test)`,
    issuer: idp.issuer,
    clientId: idp.rotatingClientId,
    scopes: idp.scopes,
    flow: 'authorizationCode',
    envVar: 'DEV_TOKEN',
    ...patch,
  };
}

/** Interactive sign-in through the token service, the IdP's login driven over HTTP (see interopBrowser). */
export async function signInThroughInteropIdp(
  service: TokenService,
  providerId: string,
  idp: InteropIdp,
): Promise<SessionRecord> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  let browserError: unknown;
  const browser = interopBrowser(idp, (e) => {
    browserError = e;
    abort.abort();
  });
  try {
    const session = await service.signIn(providerId, {
      preferredFlow: 'authorizationCode',
      ...browser,
      onUserCode: () => undefined,
      signal: abort.signal,
    });
    await browser.done();
    return session;
  } catch (e) {
    throw browserError ?? e;
  } finally {
    clearTimeout(timer);
  }
}
