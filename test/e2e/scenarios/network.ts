import { lookup } from 'node:dns/promises';
import type { TestIdp } from '../../fixtures/idp.js';
import type { LoggingProxy, ProxyLogEntry } from '../../support/loggingProxy.js';
import { TEST_IDP_HOST } from '../../support/pki.js';
import { PROVIDER_ID, PROVIDER_LABEL, type Flow } from '../providerSettings.js';
import type { Scenario, Steps } from '../runner.js';
import type { Workbench } from '../workbench.js';
import { sha256Prefix, until } from '../world.js';
import { deviceCodeSignIn, authCodeSignIn } from './signIn.js';
import { signOut } from './signOut.js';
import { checkInTerminal } from './terminal.js';

/**
 * The network a company has, in a real VS Code: the test IdP serves HTTPS with a certificate from
 * a private CA under a host name (idp.agent-auth.test) that only the proxy resolves, so every
 * request that reaches it went through the proxy. These scenarios take the window and its peers
 * as a parameter and run on any code-server host.
 */
export interface NetworkWorld {
  wb: Workbench;
  /** The HTTPS test IdP (issuer https://idp.agent-auth.test:<port>). */
  idp: TestIdp;
  /** The proxy in http.proxy (and Chromium's), without authentication. */
  proxy: LoggingProxy;
  /** A second proxy that answers 407 without the right Basic credentials. */
  authProxy: LoggingProxy;
  /** A second HTTPS IdP under its address (https://127.0.0.2:<port>), same CA: for direct connections. */
  directIdp: TestIdp;
  outDir: string;
  /** Replaces the User settings: the provider with `flow`, plus these http.* settings. */
  useFlow(flow: Flow): Promise<void>;
  useNetwork(http: Record<string, unknown>): Promise<void>;
  /** Points the provider at `directIdp`, with the proxy still in http.proxy and 127.0.0.2 in http.noProxy. */
  useDirectIdp(): Promise<void>;
}

/** The extension host's requests: Chromium sends a User-Agent with CONNECT, undici (VS Code's fetch) does not. */
const fromExtensionHost = (e: ProxyLogEntry) => e.method === 'CONNECT' && e.userAgent === '';
const fromBrowser = (e: ProxyLogEntry) => e.method === 'CONNECT' && e.userAgent !== '';
const refreshes = (idp: TestIdp) => idp.stats.grants.refresh_token ?? 0;

/** The same scenario under a name of its own (and needing the renamed ones). */
export function onNetwork(sc: Scenario): Scenario {
  return { ...sc, name: `network-${sc.name}`, needs: sc.needs?.map((n) => `network-${n}`) };
}

async function clearNotifications(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await until('no notification toasts', async () => (await wb.page.locator('.notification-toast').count()) === 0, {
    timeoutMs: 5_000,
  });
}

/** Runs a palette command and returns the text of the first notification matching `expected`. */
async function commandNotice(wb: Workbench, command: string, expected: RegExp, timeoutMs = 25_000): Promise<string> {
  await clearNotifications(wb);
  await wb.runCommand(command);
  const notice = wb.notification(expected);
  return until(
    `a notification matching ${expected}`,
    async () => (await notice.first().isVisible()) && (await notice.first().innerText()).replace(/\s+/g, ' '),
    {
      timeoutMs,
      seen: async () => `notifications: ${(await wb.notification(/./).allInnerTexts()).join(' | ') || 'none'}`,
    },
  );
}

/** Refresh Now shows no toast when it works (the status bar says it): the IdP counting one more refresh is the proof. */
async function refreshNow(wb: Workbench, idp: TestIdp, timeoutMs = 25_000): Promise<string> {
  await clearNotifications(wb);
  const before = refreshes(idp);
  await wb.runCommand('Agent Auth: Refresh Now');
  await until('one more refresh_token grant at the IdP', async () => refreshes(idp) > before, {
    timeoutMs,
    seen: async () => `notifications: ${(await wb.notification(/./).allInnerTexts()).join(' | ') || 'none'}`,
  });
  return `refreshed at ${idp.issuer}`;
}

function expectNoFetchFailed(text: string): void {
  if (/fetch failed/i.test(text)) throw new Error(`the message still says "fetch failed": ${text}`);
}

async function statusOffersSignIn(step: Steps, wb: Workbench): Promise<void> {
  await step(
    'status bar offers to sign in',
    () =>
      until('the Agent Auth status bar item offering to sign in', () => wb.offersSignIn(), {
        timeoutMs: 45_000,
        seen: async () => `status bar: ${(await wb.statusTexts()).join(' | ')}`,
      }),
    { timeoutMs: 50_000 },
  );
}

/** Run in a window started while the machine does not trust the test CA. */
export function untrustedCertificate(w: Pick<NetworkWorld, 'wb' | 'idp' | 'proxy'>): Scenario {
  return {
    name: 'network-untrusted-certificate',
    async run(step) {
      await statusOffersSignIn(step, w.wb);
      const text = await step('Sign In fails saying the certificate is not trusted', () =>
        commandNotice(w.wb, 'Agent Auth: Sign In', /sign-in to .* failed/),
      );
      step.note(`message: "${text}"`);
      await step('the message names the host, the reason and what to do', async () => {
        expectNoFetchFailed(text);
        const wanted = new RegExp(
          `The certificate of ${TEST_IDP_HOST.replace(/\./g, '\\.')} is not trusted \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\\)\\. .*root certificate to the system's trusted certificates`,
        );
        if (!wanted.test(text)) throw new Error(`expected ${wanted}; the notification says: ${text}`);
      });
      await step('the request went through the proxy and stopped at TLS', async () => {
        const tunnels = w.proxy.forwardedTo(TEST_IDP_HOST).filter(fromExtensionHost).length;
        if (tunnels < 1)
          throw new Error(
            `the proxy saw no CONNECT ${TEST_IDP_HOST} from the extension host: ${JSON.stringify(w.proxy.log)}`,
          );
        if (w.idp.stats.tokenRequests) throw new Error(`the IdP answered ${w.idp.stats.tokenRequests} token requests`);
        step.note(`${tunnels} CONNECT ${TEST_IDP_HOST} from the extension host; no request completed`);
      });
    },
  };
}

/** Run in a window whose machine trusts the test CA, with http.proxy set to `w.proxy`. */
export function throughTheProxy(w: NetworkWorld): Scenario[] {
  return [
    {
      name: 'network-idp-host-resolves-only-through-the-proxy',
      async run(step) {
        await step(`this machine cannot resolve ${TEST_IDP_HOST}`, async () => {
          const r = await lookup(TEST_IDP_HOST).then(
            (a) => `resolves to ${a.address}`,
            (e: NodeJS.ErrnoException) => e.code,
          );
          if (r !== 'ENOTFOUND' && r !== 'EAI_AGAIN')
            throw new Error(`${TEST_IDP_HOST} ${r}: a request that bypasses the proxy could succeed`);
          step.note(`lookup ${TEST_IDP_HOST}: ${r}`);
        });
      },
    },
    onNetwork(authCodeSignIn(w)),
    {
      name: 'network-refresh-now',
      needs: ['network-auth-code-sign-in'],
      async run(step) {
        const before = refreshes(w.idp);
        const text = await step('Refresh Now refreshes at the IdP', () => refreshNow(w.wb, w.idp));
        step.note(text);
        await step('IdP redeemed one refresh token', async () => {
          if (refreshes(w.idp) - before !== 1)
            throw new Error(`the IdP saw ${refreshes(w.idp) - before} refresh_token grants, expected 1`);
        });
      },
    },
    {
      name: 'network-token-helper',
      needs: ['network-auth-code-sign-in'],
      async run(step) {
        const seen = await step('new terminal runs agent-auth-token', async () => {
          await w.wb.runCommand('Terminal: Create New Terminal');
          // No userinfo check from the shell: it cannot resolve the IdP; the IdP itself is asked below.
          return checkInTerminal(w, 'network-helper.txt', 'helper', '');
        });
        await step('agent-auth-token printed a live access token of the HTTPS IdP', async () => {
          if (seen.exit !== '0') throw new Error(`agent-auth-token ${PROVIDER_ID} exited with ${seen.exit}`);
          const token = [...w.idp.issuedSecrets].find((s) => sha256Prefix(s) === seen.sha);
          if (!token) throw new Error(`the helper's token (sha256 ${seen.sha}) is none the IdP issued`);
          const at = await w.idp.provider.AccessToken.find(token);
          if (!at || at.isExpired)
            throw new Error(`the helper's token (sha256 ${seen.sha}) is ${at ? 'expired' : 'not an access token'}`);
        });
        step.note(`agent-auth-token ${PROVIDER_ID}: sha256 ${seen.sha}…`);
      },
    },
    onNetwork(signOut(w)),
    // Signed out first, or the countdown of the earlier session would pass for the device flow's.
    { ...onNetwork(deviceCodeSignIn(w)), needs: ['network-sign-out'] },
    {
      name: 'network-all-idp-traffic-through-the-proxy',
      needs: ['network-auth-code-sign-in', 'network-device-code-sign-in'],
      async run(step) {
        await step('every connection the IdP accepted was a tunnel of the proxy', () =>
          until(
            'as many TCP connections at the IdP as CONNECT tunnels to it at the proxy',
            async () => w.idp.connections() === w.proxy.forwardedTo(TEST_IDP_HOST).length,
            {
              timeoutMs: 10_000,
              seen: async () =>
                `${w.idp.connections()} connections at the IdP, ${w.proxy.forwardedTo(TEST_IDP_HOST).length} tunnels`,
            },
          ),
        );
        const tunnels = w.proxy.forwardedTo(TEST_IDP_HOST);
        await step('the extension host and the browser both used the proxy', async () => {
          const host = tunnels.filter(fromExtensionHost).length;
          const browser = tunnels.filter(fromBrowser).length;
          if (!host || !browser)
            throw new Error(`tunnels from the extension host: ${host}, from the browser: ${browser}`);
          const { grants, revocations } = w.idp.stats;
          step.note(
            `${tunnels.length} CONNECT ${TEST_IDP_HOST} (${host} extension host, ${browser} browser) carried ${JSON.stringify(grants)} and ${revocations} revocation(s)`,
          );
        });
      },
    },
    {
      name: 'network-proxy-authentication',
      needs: ['network-device-code-sign-in'],
      async run(step) {
        const before = w.authProxy.log.length;
        await step('http.proxy names a proxy that requires authentication, without credentials', () =>
          w.useNetwork({ 'http.proxy': w.authProxy.url }),
        );
        const text = await step('Refresh Now fails saying the proxy requires authentication', () =>
          commandNotice(w.wb, 'Agent Auth: Refresh Now', /refresh of .* failed/),
        );
        step.note(`message: "${text}"`);
        await step('the message says 407 and where the credentials go', async () => {
          expectNoFetchFailed(text);
          if (!/requires authentication \(HTTP 407\)\. .*http:\/\/user:password@host:port/.test(text))
            throw new Error(`unexpected message: ${text}`);
          const asked = w.authProxy.log.slice(before).filter((e) => fromExtensionHost(e) && e.outcome === '407');
          if (!asked.length)
            throw new Error(
              `the proxy answered no 407 to the extension host: ${JSON.stringify(w.authProxy.log.slice(before))}`,
            );
        });
        const refreshed = refreshes(w.idp);
        await step('http.proxy with user name and password in the URL', () =>
          w.useNetwork({ 'http.proxy': w.authProxy.urlWithCredentials }),
        );
        await step('Refresh Now succeeds through the authenticating proxy', () => refreshNow(w.wb, w.idp));
        await step('the proxy accepted the credentials and the IdP refreshed', async () => {
          const accepted = w.authProxy.log
            .slice(before)
            .filter((e) => fromExtensionHost(e) && e.auth === 'accepted' && e.outcome === 'forwarded');
          if (!accepted.length)
            throw new Error(`no authenticated tunnel: ${JSON.stringify(w.authProxy.log.slice(before))}`);
          if (refreshes(w.idp) - refreshed !== 1)
            throw new Error(`the IdP saw ${refreshes(w.idp) - refreshed} refreshes, expected 1`);
        });
      },
    },
    {
      name: 'network-no-proxy',
      needs: ['network-device-code-sign-in'],
      async run(step) {
        await step('http.noProxy lists the IdP host', () =>
          w.useNetwork({ 'http.proxy': w.proxy.url, 'http.noProxy': [TEST_IDP_HOST] }),
        );
        const before = w.proxy.log.filter(fromExtensionHost).length;
        const text = await step(
          'Refresh Now goes direct and fails: the name resolves only through the proxy',
          () => commandNotice(w.wb, 'Agent Auth: Refresh Now', /refresh of .* failed/, 30_000),
          { timeoutMs: 35_000 },
        );
        step.note(`message: "${text}"`);
        await step('the message says the name is unknown and points at the proxy settings', async () => {
          expectNoFetchFailed(text);
          if (
            !/The host name idp\.agent-auth\.test could not be resolved \((ENOTFOUND|EAI_AGAIN)\)\. .*set http\.proxy/.test(
              text,
            )
          )
            throw new Error(`unexpected message: ${text}`);
          const after = w.proxy.log.filter(fromExtensionHost).length;
          if (after !== before) throw new Error(`the extension host still used the proxy ${after - before} time(s)`);
        });
        await step('without http.noProxy the refresh works again', async () => {
          await w.useNetwork({ 'http.proxy': w.proxy.url });
          await refreshNow(w.wb, w.idp);
        });
        step.note(`${PROVIDER_LABEL} refreshed through the proxy again`);
      },
    },
    { ...signOut(w), name: 'network-sign-out-before-direct', needs: ['network-device-code-sign-in'] },
    {
      name: 'network-direct-https-for-a-no-proxy-host',
      needs: ['network-sign-out-before-direct'],
      async run(step) {
        await step('provider at https://127.0.0.2:<port>, listed in http.noProxy', () => w.useDirectIdp());
        const before = w.proxy.log.filter(fromExtensionHost).length;
        await authCodeSignIn({ wb: w.wb, idp: w.directIdp }).run(step);
        await step('Refresh Now refreshes at the direct IdP', () => refreshNow(w.wb, w.directIdp));
        await step('the extension host went direct: the private CA from the trust store, no proxy', async () => {
          const viaProxy = w.proxy.log.filter(fromExtensionHost).slice(before);
          if (viaProxy.length) throw new Error(`the extension host used the proxy: ${JSON.stringify(viaProxy)}`);
          const refreshed = refreshes(w.directIdp);
          if (refreshed !== 1) throw new Error(`the direct IdP saw ${refreshed} refreshes, expected 1`);
          step.note(
            `${w.directIdp.connections()} direct TLS connections to ${w.directIdp.issuer}; none through the proxy`,
          );
        });
      },
    },
  ];
}
