import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestMcpServer, WhoAmI } from '../../fixtures/mcpServer.js';
import { repoRoot } from '../paths.js';
import { ENV_VAR } from '../providerSettings.js';
import type { Scenario, Steps } from '../runner.js';
import { sha256Prefix, until, type World } from '../world.js';

/** The label Agent Auth publishes the test MCP server under (agentAuth.mcpServers). */
export const MCP_SERVER_ID = 'whoami';
/** Token lifetime while the MCP calls run. */
export const MCP_TOKEN_TTL_S = 30;
const LIFETIMES = 3;
/**
 * VS Code names tools mcp_<prefix of the server's own name>_<tool>, the same for the built-in OAuth
 * peer (another instance of this server): its whoami appears only once mcp-builtin-oauth-peer starts it.
 */
const AGENT_AUTH_WHOAMI = 'whoami$';

export interface McpWorld {
  server: TestMcpServer;
  /** The host-runner's MCP driver reads requests from and writes responses to this folder. */
  dir: string;
  /** What mcp-http-server-across-refreshes measured, for the comparison with VS Code's built-in OAuth. */
  measured?: AgentAuthMcpMeasure;
}

export interface AgentAuthMcpMeasure {
  calls: number;
  spanS: number;
  tokens: number;
  rejected401: number;
  sessions: number;
}

export function mcpSettings(url: string, providerId: string): object {
  return {
    'agentAuth.mcpServers': [
      { id: MCP_SERVER_ID, label: 'Agent Auth whoami', url, provider: providerId },
      {
        id: 'tokens',
        label: 'Agent Auth token sources',
        provider: providerId,
        command: process.execPath,
        args: [join(repoRoot, 'test', 'fixtures', 'mcp-stdio-server', 'server.js')],
        env: { MCP_STDIO_TOKEN_ENV: ENV_VAR },
      },
    ],
  };
}

interface DriverResponse {
  ok: boolean;
  error?: string;
  tools?: string[];
  tool?: string;
  text?: string;
  /** op 'spawn': the child's exit code, stderr and a sha256 prefix of its stdout. */
  code?: number | null;
  stderr?: string;
  stdoutSha?: string;
  /** op 'session': what another extension got from getSession, getAccessToken and fetchWithToken. */
  account?: string;
  sessionSha?: string;
  tokenSha?: string;
  status?: number;
  at: number;
}

/** Whole or not at all: the driver polls the folder and must never read a half-written request. */
export function writeRequest(dir: string, n: number, request: object): string {
  const file = join(dir, `${n}.request.json`);
  writeFileSync(`${file}.part`, JSON.stringify(request));
  renameSync(`${file}.part`, file);
  return join(dir, `${n}.response.json`);
}

let seq = 0;
/**
 * Sends one request to the host-runner's MCP driver and waits for its answer, clicking "Yes" on
 * VS Code's tool confirmation dialog whenever it shows.
 */
export async function driver(
  w: World,
  dir: string,
  request: object,
  timeoutMs = 30_000,
  opts: { account?: string } = {},
): Promise<DriverResponse> {
  const n = ++seq;
  const response = writeRequest(dir, n, request);
  const yes = w.wb.page.locator('.monaco-dialog-box').getByRole('button', { name: /^(Yes|Allow|Continue)$/ });
  // A provider with supportsMultipleAccounts: VS Code asks in a picker which account the extension may use.
  const picker = w.wb.page.locator('.quick-input-widget', { hasText: /wants to access an? .* account/ });
  const account =
    opts.account &&
    picker.locator('.quick-input-list .monaco-list-row', {
      has: w.wb.page.locator('.label-name', { hasText: opts.account }),
    });
  return until(
    `the MCP driver's answer to ${JSON.stringify(request)}`,
    async () => {
      if (existsSync(response)) return JSON.parse(readFileSync(response, 'utf8')) as DriverResponse;
      if (
        await yes
          .first()
          .isVisible()
          .catch(() => false)
      )
        await yes
          .first()
          .click()
          .catch(() => undefined);
      if (
        account &&
        (await account
          .first()
          .isVisible()
          .catch(() => false))
      )
        await account
          .first()
          .click()
          .catch(() => undefined);
      return undefined;
    },
    {
      timeoutMs,
      seen: async () => {
        const dialogs = (await w.wb.page.locator('.monaco-dialog-box').allInnerTexts()).join(' | ') || 'none';
        const pickers =
          (await picker.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ') ||
          'none';
        return `dialogs: ${dialogs}; account pickers: ${pickers}`;
      },
    },
  );
}

/**
 * An HTTP MCP server from agentAuth.mcpServers in VS Code's own MCP client: listed, started, its
 * tool called across three 30 s token lifetimes in one MCP session, never a 401.
 */
export function mcpHttpServer(w: World, m: McpWorld): Scenario {
  return {
    name: 'mcp-http-server-across-refreshes',
    needs: ['device-code-sign-in'],
    async run(step) {
      const rejected = { ...m.server.stats.rejected };
      const sessions = m.server.stats.sessions;
      const tool = AGENT_AUTH_WHOAMI;
      await step(
        'VS Code starts the servers and lists their tools',
        async () => {
          // VS Code names an extension's server <extension id>/<label>.
          const ids = ['Agent Auth whoami', 'Agent Auth token sources'].map((l) => `agentauth.agent-auth/${l}`);
          const r = await driver(w, m.dir, { op: 'start', ids }, 45_000);
          if (!r.ok || !r.tools?.some((t) => /whoami$/.test(t)))
            throw new Error(`no whoami tool: ${r.error ?? r.tools?.join(', ')}`);
          step.note(`tools: ${r.tools.filter((t) => t.startsWith('mcp')).join(', ')}`);
        },
        { timeoutMs: 50_000 },
      );
      await step(`tokens now live ${MCP_TOKEN_TTL_S} s`, async () => {
        w.idp.setAccessTokenTtl(MCP_TOKEN_TTL_S);
        await w.wb.runCommand('Agent Auth: Refresh Now');
      });
      const calls = await callAcrossLifetimes(step, w, m.dir, tool);
      await step('one MCP session, every call with a valid token, no 401', async () => {
        const distinct = new Set(calls.map((c) => c.token)).size;
        const spanS = (calls.at(-1)!.at - calls[0].at) / 1000;
        step.note(
          `${calls.length} calls over ${spanS.toFixed(0)} s with ${distinct} different tokens; server saw ${m.server.stats.sessions - sessions} new MCP session(s)`,
        );
        const r401 =
          m.server.stats.rejected.missing + m.server.stats.rejected.inactive - rejected.missing - rejected.inactive;
        m.measured = {
          calls: calls.length,
          spanS: Math.round(spanS),
          tokens: distinct,
          rejected401: r401,
          sessions: new Set(calls.map((c) => c.session)).size,
        };
        if (distinct < LIFETIMES) throw new Error(`only ${distinct} different tokens`);
        if (new Set(calls.map((c) => c.session)).size !== 1)
          throw new Error(`calls came in ${new Set(calls.map((c) => c.session)).size} MCP sessions`);
        const expired = calls.filter((c) => c.exp * 1000 < c.at - 1_000);
        if (expired.length) throw new Error(`${expired.length} call(s) carried an expired token`);
        const r = m.server.stats.rejected;
        if (r.missing !== rejected.missing || r.inactive !== rejected.inactive) {
          throw new Error(`the server answered 401: ${JSON.stringify(r)} (before: ${JSON.stringify(rejected)})`);
        }
      });
      await step('stdio server: the token from its start, and a valid one from agent-auth-token now', async () => {
        const r = await driver(w, m.dir, { op: 'call', tool: 'token_sources$' });
        if (!r.ok) throw new Error(r.error);
        const got = JSON.parse(r.text!) as {
          startToken: string | null;
          helper: string | null;
          helperError: string | null;
        };
        const issued = new Map([...w.idp.issuedSecrets].map((t) => [sha256Prefix(t), t]));
        if (!got.startToken || !issued.has(got.startToken))
          throw new Error(`${ENV_VAR} at start was ${got.startToken ? 'not a token the IdP issued' : 'empty'}`);
        if (!got.helper) throw new Error(`agent-auth-token failed in the server: ${got.helperError}`);
        const current = await w.idp.provider.AccessToken.find(issued.get(got.helper) ?? '');
        if (!current?.isValid) throw new Error('agent-auth-token printed a token the IdP does not accept now');
        step.note(
          `${ENV_VAR} at start: sha256 ${got.startToken}…; agent-auth-token now: sha256 ${got.helper}… (valid at the IdP)`,
        );
      });
    },
  };
}

/** Calls the tool every few seconds until the calls span LIFETIMES token lifetimes. */
async function callAcrossLifetimes(
  step: Steps,
  w: World,
  dir: string,
  tool: string,
): Promise<(WhoAmI & { at: number })[]> {
  const calls: (WhoAmI & { at: number })[] = [];
  const spanMs = LIFETIMES * MCP_TOKEN_TTL_S * 1000;
  return step(
    `whoami called across ${LIFETIMES} token lifetimes`,
    async () => {
      const started = Date.now();
      while (Date.now() - started < spanMs + 2_000) {
        const r = await driver(w, dir, { op: 'call', tool });
        if (!r.ok)
          throw new Error(
            `call ${calls.length + 1} failed after ${((Date.now() - started) / 1000).toFixed(0)} s: ${r.error}`,
          );
        const who = JSON.parse(r.text!) as WhoAmI;
        calls.push({ ...who, at: r.at });
        await new Promise((res) => setTimeout(res, 5_000));
      }
      return calls;
    },
    { timeoutMs: spanMs + 60_000 },
  );
}
