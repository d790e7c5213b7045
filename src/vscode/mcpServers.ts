import vscode = require('vscode');
import { l10n } from 'vscode';
import { sessionErrorCode } from '../session/errors.js';
import { startTokenProxy, type TokenProxy } from '../session/consumers/tokenProxy.js';
import { childEnv } from './childEnv.js';
import type { Glue } from './glue.js';
import { type McpServerConfig, parseMcpServers } from './mcpConfig.js';
import type { SettingsProblems } from './settingsProblems.js';

/**
 * `agentAuth.mcpServers` published to VS Code's MCP support (VS Code 1.101 and newer; on older
 * releases the setting is reported as unsupported and nothing else happens).
 *
 * HTTP servers are published with their own URL and no credentials (VS Code stores published
 * definitions in workspace storage). When VS Code starts one, resolveMcpServerDefinition points it
 * at a loopback forwarder (src/session/consumers/tokenProxy.ts) that puts the provider's current token on
 * every request, so the running server never sees an expired token and never answers VS Code with
 * a 401 (which would start VS Code's own OAuth). Stdio servers get the token in the provider's
 * envVar and the token helper on PATH at start, like tasks.
 *
 * Lazy: with the setting empty nothing is registered and no forwarder runs.
 */

/** contributes.mcpServerDefinitionProviders[0].id in package.json. */
export const MCP_PROVIDER_ID = 'agentAuth.mcpServers';

/** The part of the MCP API (VS Code 1.101) used here; @types/vscode 1.100 does not declare it. */
interface McpServerDefinition {
  readonly label: string;
}
interface McpHttpServerDefinition extends McpServerDefinition {
  uri: vscode.Uri;
  headers: Record<string, string>;
}
interface McpStdioServerDefinition extends McpServerDefinition {
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
}
interface McpServerDefinitionProvider {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<McpServerDefinition[]>;
  resolveMcpServerDefinition?(
    server: McpServerDefinition,
    token: vscode.CancellationToken,
  ): vscode.ProviderResult<McpServerDefinition>;
}
interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: McpServerDefinitionProvider): vscode.Disposable;
  McpHttpServerDefinition: new (
    label: string,
    uri: vscode.Uri,
    headers?: Record<string, string>,
  ) => McpHttpServerDefinition;
  McpStdioServerDefinition: new (
    label: string,
    command: string,
    args?: string[],
    env?: Record<string, string>,
  ) => McpStdioServerDefinition;
}

/**
 * The MCP API of this VS Code, or undefined before 1.101. The version is checked too: 1.100 has
 * the functions already, as a proposed API that throws for extensions like this one.
 */
export function mcpApi(api: typeof vscode = vscode): McpApi | undefined {
  const [major = 0, minor = 0] = api.version.split('.').map(Number);
  if (major === 1 && minor < 101) return undefined;
  const register = (
    api.lm as { registerMcpServerDefinitionProvider?: McpApi['registerMcpServerDefinitionProvider'] } | undefined
  )?.registerMcpServerDefinitionProvider;
  const { McpHttpServerDefinition, McpStdioServerDefinition } = api as unknown as Partial<McpApi>;
  if (!register || !McpHttpServerDefinition || !McpStdioServerDefinition) return undefined;
  return {
    registerMcpServerDefinitionProvider: register.bind(api.lm),
    McpHttpServerDefinition,
    McpStdioServerDefinition,
  };
}

export function registerMcpServers(g: Glue, problems: SettingsProblems, api = mcpApi()): vscode.Disposable {
  let published: McpServers | undefined;
  const reconcile = () => {
    const raw = vscode.workspace.getConfiguration('agentAuth').get<unknown[]>('mcpServers');
    if (!published && (!Array.isArray(raw) || raw.length === 0)) return;
    const { servers, problems: found } = parseMcpServers(
      raw,
      g.service.getProviders().map((p) => p.id),
    );
    problems.report(found, l10n.t('This MCP server is not published.'));
    if (!api) {
      // Reported once, like any settings problem.
      if (servers.length)
        problems.report(
          [
            {
              where: 'agentAuth.mcpServers',
              message: l10n.t('MCP servers need VS Code 1.101 or newer (this is {0})', vscode.version),
            },
          ],
          l10n.t('The servers are not published.'),
        );
      return;
    }
    try {
      (published ??= new McpServers(g, api)).update(servers);
    } catch (e) {
      // Registration is the one call that can refuse (an API still proposed in this build).
      g.log.warn(`MCP servers could not be published to VS Code ${vscode.version}: ${(e as Error).message}`);
    }
  };
  const watch = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('agentAuth.mcpServers')) reconcile();
    // The extension's own listener hands new providers to the service; look after it has run.
    else if (e.affectsConfiguration('agentAuth.providers')) setTimeout(reconcile, 0);
  });
  reconcile();
  return new vscode.Disposable(() => {
    watch.dispose();
    void published?.dispose();
  });
}

class McpServers implements McpServerDefinitionProvider {
  private servers: McpServerConfig[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private readonly registration: vscode.Disposable;
  private proxy: Promise<TokenProxy> | undefined;

  constructor(
    private readonly g: Glue,
    private readonly api: McpApi,
  ) {
    this.registration = api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, this);
  }

  update(servers: McpServerConfig[]): void {
    if (JSON.stringify(servers) === JSON.stringify(this.servers)) return;
    this.servers = servers;
    this.g.log.info(
      `Publishing ${servers.length} MCP server(s) to VS Code: ${servers.map((s) => s.id).join(', ') || 'none'}.`,
    );
    this.changed.fire();
  }

  /** No credentials here: VS Code keeps these definitions in workspace storage. */
  provideMcpServerDefinitions(): McpServerDefinition[] {
    return this.servers.map((s) =>
      s.kind === 'http'
        ? new this.api.McpHttpServerDefinition(s.label, vscode.Uri.parse(s.url))
        : new this.api.McpStdioServerDefinition(s.label, s.command, s.args, s.env),
    );
  }

  /** Called when VS Code starts a server: the only moment a token goes into a definition. */
  async resolveMcpServerDefinition(def: McpServerDefinition): Promise<McpServerDefinition | undefined> {
    const s = this.servers.find((x) => x.label === def.label);
    if (!s) return undefined;
    const token = await this.token(s);
    if (s.kind === 'http') {
      const proxy = await (this.proxy ??= startTokenProxy({
        getToken: (id, opts) => this.g.service.getAccessToken(this.g.accounts.resolve(id), opts),
        fetch: (url, init) => globalThis.fetch(url, init),
        log: this.g.log,
      }));
      const http = def as McpHttpServerDefinition;
      http.uri = vscode.Uri.parse(proxy.route(s.id, { url: s.url, providerId: s.provider }));
      http.headers = { ...http.headers, Authorization: `Bearer ${proxy.key}` };
      this.g.log.info(`MCP server "${s.id}" starts through the token forwarder (${s.url}).`);
      return http;
    }
    const stdio = def as McpStdioServerDefinition;
    const path = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
    const env = childEnv({ [path]: process.env[path], ...s.env }, await this.g.tokenHelper(), {
      envVar: token.envVar,
      accessToken: token.accessToken,
    });
    stdio.env = { ...stdio.env, ...(env as Record<string, string>) };
    this.g.log.info(
      `MCP server "${s.id}" starts with ${token.envVar} set${env.AGENT_AUTH_IPC ? ' and agent-auth-token on PATH' : ''}.`,
    );
    return stdio;
  }

  /** The provider's token; when signed out, VS Code is starting the server on the user's behalf, so offer sign-in once. */
  private async token(s: McpServerConfig) {
    try {
      return await this.g.service.getAccessToken(this.g.accounts.resolve(s.provider));
    } catch (e) {
      if (!sessionErrorCode(e)) throw e;
      await this.g.signIn(s.provider);
      try {
        return await this.g.service.getAccessToken(this.g.accounts.resolve(s.provider));
      } catch {
        throw new Error(l10n.t('Agent Auth: sign in to "{0}" to start the MCP server "{1}".', s.provider, s.label));
      }
    }
  }

  async dispose(): Promise<void> {
    this.registration.dispose();
    this.changed.dispose();
    await (await this.proxy?.catch(() => undefined))?.close();
  }
}
