import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { type LoggingProxy, startLoggingProxy } from '../support/loggingProxy.js';
import { createPki, TEST_IDP_HOST, type TestPki } from '../support/pki.js';
import { BASE_SETTINGS, type CodeServer, type CodeServerOptions } from './codeServer.js';
import { agentAuthSettings, type Flow } from './providerSettings.js';
import { type Result, runScenarios, type Scenario } from './runner.js';
import { type NetworkWorld, throughTheProxy, untrustedCertificate } from './scenarios/network.js';
import { bundleHolds, installTestCa, removeTestCa } from './trustStore.js';
import { Workbench } from './workbench.js';

/** Long enough that no proactive refresh happens between the scenarios' own refreshes. */
const ACCESS_TOKEN_TTL_S = 600;
const PROXY_CREDENTIALS = { username: 'agent-auth-e2e', password: 'proxy pass:word' };

export interface NetworkPhaseOptions {
  /** Wiped and recreated: pki/, proxy logs, and one folder per code-server. */
  root: string;
  /** The Agent Auth VSIX. */
  vsix: string;
  /** Starts a window of the code-server host under test (any version: the caller binds the host). */
  start(o: Omit<CodeServerOptions, 'host'>): Promise<CodeServer>;
}

/**
 * HTTPS with a private CA and a proxy, in two windows of the given host.
 *
 * No PAC scenario: in code-server the extension host cannot use one. @vscode/proxy-agent resolves
 * localhost, http.noProxy (else NO_PROXY), http.proxy, then HTTPS_PROXY/HTTP_PROXY of the extension
 * host; only after that, and in a remote host only with http.useLocalProxyConfiguration, does it
 * ask the window ($resolveProxy), which on the desktop is Electron's session (system proxy, PAC).
 * code-server's window is a web page: its request service answers resolveProxy,
 * lookupAuthorization and lookupKerberosAuthorization with undefined (checked in 4.100.3 and
 * 4.139.1), so a PAC file resolves to DIRECT and a 407 is never prompted for.
 *
 * The windows: one started while the
 * machine does not trust the test CA, one after the CA was added to the system trust store. The
 * trust store is restored when the phase ends (and on exit: see trustStore.ts).
 */
export class NetworkPhase {
  private pki?: TestPki;
  private idp?: TestIdp;
  private directIdp?: TestIdp;
  private proxies: LoggingProxy[] = [];
  private cs?: CodeServer;
  private wb?: Workbench;

  constructor(private readonly o: NetworkPhaseOptions) {}

  async run(log: (what: string) => void): Promise<Result[]> {
    const results: Result[] = [];
    try {
      rmSync(this.o.root, { recursive: true, force: true });
      mkdirSync(this.o.root, { recursive: true });
      removeTestCa(); // a run killed earlier may have left it
      const pki = (this.pki = createPki({ names: [TEST_IDP_HOST], ips: ['127.0.0.2'], dir: join(this.o.root, 'pki') }));
      const idp = (this.idp = await startTestIdp({
        host: '127.0.0.2',
        tls: { key: pki.server.key, cert: pki.server.cert, hostName: TEST_IDP_HOST },
        accessTokenTtl: ACCESS_TOKEN_TTL_S,
        rotateRefreshTokens: true,
      }));
      const directIdp = (this.directIdp = await startTestIdp({
        host: '127.0.0.2',
        tls: { key: pki.server.key, cert: pki.server.cert },
        accessTokenTtl: ACCESS_TOKEN_TTL_S,
      }));
      const hosts = { [TEST_IDP_HOST]: '127.0.0.2' };
      const proxy = await startLoggingProxy({ hosts, logFile: join(this.o.root, 'proxy-log.jsonl') });
      const authProxy = await startLoggingProxy({
        hosts,
        credentials: PROXY_CREDENTIALS,
        logFile: join(this.o.root, 'auth-proxy-log.jsonl'),
      });
      this.proxies.push(proxy, authProxy);
      log(
        `IdP at ${idp.issuer} (127.0.0.2, known only to the proxies ${proxy.url} and ${authProxy.url}); logs in ${this.o.root}`,
      );

      let flow: Flow = 'authorizationCode';
      let http: Record<string, unknown> = { 'http.proxy': proxy.url };
      let provider = idp;
      const settings = () => ({ ...agentAuthSettings(provider.issuer, provider.clientId, flow), ...http });
      const world = (cs: CodeServer, wb: Workbench, outDir: string): NetworkWorld => {
        const apply = () => wb.replaceUserSettings({ ...BASE_SETTINGS, ...settings() }, cs.settingsFile);
        return {
          wb,
          idp,
          directIdp,
          proxy,
          authProxy,
          outDir,
          useFlow: async (f) => {
            flow = f;
            await apply();
          },
          useNetwork: async (h) => {
            http = h;
            await apply();
          },
          useDirectIdp: async () => {
            [provider, flow, http] = [
              directIdp,
              'authorizationCode',
              { 'http.proxy': proxy.url, 'http.noProxy': ['127.0.0.2'] },
            ];
            await apply();
          },
        };
      };

      log('network: a window whose machine does not trust the test CA');
      if (bundleHolds(pki.ca.cert)) throw new Error('the system trust store already holds the fresh test CA');
      results.push(...(await this.window('untrusted', settings(), proxy, (w) => [untrustedCertificate(w)], world)));

      log('network: the test CA in the system trust store, a new window');
      installTestCa(pki.ca.cert);
      if (!bundleHolds(pki.ca.cert))
        throw new Error('update-ca-certificates did not add the test CA to /etc/ssl/certs/ca-certificates.crt');
      results.push(...(await this.window('trusted', settings(), proxy, (w) => throughTheProxy(w), world)));
    } catch (e) {
      results.push({ name: 'network phase', ok: false, ms: 0, detail: (e as Error).stack ?? String(e) });
    } finally {
      await this.stop();
    }
    return results;
  }

  /** One code-server window with `settings`, Chromium on `proxy`, running `scenarios`. */
  private async window(
    name: string,
    settings: object,
    proxy: LoggingProxy,
    scenarios: (w: NetworkWorld) => Scenario[],
    world: (cs: CodeServer, wb: Workbench, outDir: string) => NetworkWorld,
  ): Promise<Result[]> {
    const root = join(this.o.root, name);
    // Only the system trust store may make the CA trusted: no certificate settings from the environment.
    const env = { NODE_EXTRA_CA_CERTS: undefined, SSL_CERT_FILE: undefined, SSL_CERT_DIR: undefined };
    const cs = (this.cs = await this.o.start({ root, settings, vsixes: [this.o.vsix], env }));
    const outDir = join(root, 'out');
    mkdirSync(outDir, { recursive: true });
    const wb = (this.wb = await Workbench.open(cs.workbenchUrl, { proxy: proxy.url, ignoreHTTPSErrors: true }));
    try {
      return await runScenarios(scenarios(world(cs, wb, outDir)), {
        page: () => wb.page,
        diagnostics: async () =>
          `status bar: ${(await wb.statusTexts().catch(() => [])).join(' | ')}\n${cs.logTail(25)}`,
      });
    } finally {
      await wb.close();
      await cs.stop();
      this.wb = this.cs = undefined;
    }
  }

  /** Ends every process and server of the phase and takes the test CA out of the trust store. */
  async stop(): Promise<void> {
    await this.wb?.close();
    await this.cs?.stop();
    for (const p of this.proxies.splice(0)) await p.close().catch(() => undefined);
    await this.idp?.close();
    await this.directIdp?.close();
    this.idp = this.directIdp = undefined;
    try {
      removeTestCa();
    } finally {
      this.pki?.remove();
      this.pki = undefined;
    }
  }
}
