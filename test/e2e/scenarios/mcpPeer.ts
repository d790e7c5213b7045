import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import type { TestMcpServer, WhoAmI } from '../../fixtures/mcpServer.js';
import { stepEpoch, type Scenario, type Steps } from '../runner.js';
import { until, type World } from '../world.js';
import { approveDevice, fillLogin, submitLogin } from './browser.js';
import { type AgentAuthMcpMeasure, MCP_TOKEN_TTL_S, writeRequest } from './mcp.js';

/**
 * The peer: the same MCP server (a second instance, its own counters) configured in the user's
 * mcp.json with no Agent Auth involvement, so VS Code's built-in MCP OAuth signs in (RFC 9728
 * metadata, dynamic client registration at the test IdP). Then its tool is called after each of
 * three 30 s token expiries, and what happens is recorded per call: a new token (VS Code
 * refreshed), an error, or a sign-in prompt, with the 401s the server sent. Only the set-up (the
 * sign-in and the first call) can fail this scenario; the rest is a measurement, printed in one
 * `mcp-peer:` line next to Agent Auth's numbers from `mcp-http-server-across-refreshes`.
 *
 * How VS Code 1.139 signs in from code-server (a remote extension host, so no loopback flow): its
 * URL-handler flow sends the browser to https://vscode.dev/redirect (stood in for below), which
 * forwards the response to code-server's /callback; that page puts the response's parameters
 * before the original query, so `code` comes first, and VS Code's `/[?&]code=/` (which needs a
 * separator before it) finds none: "No authorization code received" (microsoft/vscode#312105).
 * VS Code then offers its next flow, the device code, which this scenario takes as a person
 * would: "Yes", "Copy & Continue", the IdP's device pages in the browser. Every step VS Code
 * shows is printed as `sign-in: …`. VS Code refreshes whenever a token has under five minutes
 * left, at every session look-up; with 30 s tokens and a running server that is a loop, so the
 * refresh grants are counted too, and the peer is stopped at the end to give the rest of the run
 * a quiet IdP.
 */
export const PEER_SERVER = 'peer';
const EXPIRIES = 3;
const REFRESH_GRANT = 'refresh_token';

export interface PeerWorld {
  server: TestMcpServer;
  /** The host-runner's MCP driver folder. */
  dir: string;
  /** Agent Auth's numbers for the same server, when its scenario ran first. */
  agentAuth?: () => AgentAuthMcpMeasure | undefined;
}

/** User/mcp.json: the peer server, written before code-server starts. */
export function writePeerMcpJson(userDataDir: string, url: string): void {
  writeFileSync(
    join(userDataDir, 'User', 'mcp.json'),
    JSON.stringify({ servers: { [PEER_SERVER]: { type: 'http', url } } }, null, 2),
  );
}

interface DriverAnswer {
  ok: boolean;
  tools?: string[];
  text?: string;
  error?: string;
  at: number;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const authPrompt = /authenticat|sign in|sign-in|log in|login/i;

let seq = 1000;

/** Writes one request for the MCP driver; `answer()` is the response once there. */
function send(dir: string, body: object): () => DriverAnswer | undefined {
  const response = writeRequest(dir, ++seq, body);
  return () => (existsSync(response) ? (JSON.parse(readFileSync(response, 'utf8')) as DriverAnswer) : undefined);
}

/** The first visible VS Code modal dialog's text, or undefined. */
async function dialogText(w: World): Promise<string | undefined> {
  const box = w.wb.page.locator('.monaco-dialog-box').first();
  return (await box.isVisible().catch(() => false)) ? oneLine(await box.innerText().catch(() => '')) : undefined;
}

async function clickDialogButton(w: World, name: RegExp): Promise<boolean> {
  const button = w.wb.page.locator('.monaco-dialog-box').first().getByRole('button', { name }).first();
  if (!(await button.isVisible().catch(() => false))) return false;
  await button.click().catch(() => undefined);
  return true;
}

/**
 * Starts the peer server and answers everything VS Code shows until its tools are live, the way
 * a person would: allow the authentication, open the browser, sign in at the IdP; when VS Code
 * offers another way, take it, and complete the device code in the browser. Returns the steps
 * VS Code took, in order.
 */
async function signInThroughVsCode(
  w: World,
  m: PeerWorld,
  timeoutMs: number,
): Promise<{ trail: string[]; tools: string[] }> {
  const trail: string[] = [];
  const record = (s: string) => {
    if (!trail.includes(s)) trail.push(s);
  };
  const pages: Page[] = [];
  const onPage = (p: Page) => pages.push(p);
  w.wb.context.on('page', onPage);
  // The authorization request itself (its first URL is gone once the tab has loaded).
  const onRequest = (r: Request) => {
    const u = new URL(r.url());
    if (r.isNavigationRequest() && r.url().startsWith(`${w.idp.issuer}/auth?`)) {
      record(
        `browser: the IdP's authorization endpoint (response_type=${u.searchParams.get('response_type')}, redirect_uri=${u.searchParams.get('redirect_uri')})`,
      );
    }
  };
  w.wb.context.on('request', onRequest);
  const answer = send(m.dir, { op: 'start' });
  const deadline = Date.now() + timeoutMs;
  const epoch = stepEpoch();
  let userCode: string | undefined;
  try {
    for (;;) {
      const a = answer();
      if (a) {
        if (!a.ok)
          throw new Error(`the MCP start failed: ${a.error}; VS Code did: ${trail.join(' → ') || 'nothing visible'}`);
        return { trail, tools: a.tools ?? [] };
      }
      if (Date.now() > deadline || stepEpoch() !== epoch) {
        throw new Error(`no answer in ${timeoutMs / 1000} s; VS Code did: ${trail.join(' → ') || 'nothing visible'}`);
      }
      const dialog = await dialogText(w);
      if (dialog) {
        const device = /Your code:\s*([A-Z0-9-]+)/i.exec(dialog);
        if (device) {
          userCode = device[1]!;
          record(`dialog "${dialog}" → Copy & Continue`);
          await clickDialogButton(w, /^Copy & Continue$/);
        } else if (await clickDialogButton(w, /^Open$/)) {
          record('code-server asks to open the external website → Open');
        } else if (await clickDialogButton(w, /^(Allow|Yes|Continue)$/)) {
          record(`dialog "${dialog}" → ${authPrompt.test(dialog) ? 'allowed' : 'yes'}`);
        } else {
          record(`dialog "${dialog}" (no button taken)`);
        }
      }
      // VS Code's offer of its next sign-in flow is a notification with Yes / No.
      const offer = w.wb.page
        .locator('.notification-toast')
        .filter({ hasText: /different way/i })
        .first();
      if (await offer.isVisible().catch(() => false)) {
        record(
          `notification "${oneLine(
            await offer
              .locator('.notification-list-item-message')
              .innerText()
              .catch(() => ''),
          )}" → Yes`,
        );
        await offer
          .getByRole('button', { name: 'Yes', exact: true })
          .click()
          .catch(() => undefined);
      }
      for (const p of pages.splice(0)) await completeInBrowser(w, p, userCode, record);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    w.wb.context.off('page', onPage);
    w.wb.context.off('request', onRequest);
  }
}

/** One tab VS Code opened: the IdP's authorization (login, redirect back) or its device pages. */
async function completeInBrowser(
  w: World,
  p: Page,
  userCode: string | undefined,
  record: (s: string) => void,
): Promise<void> {
  await until('the tab to load a page', async () => p.url().startsWith('http'), {
    timeoutMs: 20_000,
    seen: async () => p.url(),
  });
  await p.waitForLoadState('domcontentloaded');
  if (p.url().startsWith(`${w.idp.issuer}/device`)) {
    if (!userCode) throw new Error(`VS Code opened ${p.url()} without showing a user code`);
    await approveDevice(p, userCode);
    record("browser: the IdP's device pages: code entered, signed in, approved");
    await p.close().catch(() => undefined);
    return;
  }
  // The browser may still hold an IdP session from Agent Auth's sign-in: no login page then.
  const back = () => p.url().startsWith('http://127.0.0.1');
  await until(
    'the IdP login page or the redirect back to VS Code',
    async () => back() || (await p.locator('input[name="login"]').isVisible()),
    { timeoutMs: 20_000 },
  );
  if (!back()) {
    await fillLogin(p);
    await submitLogin(p);
  }
  await until('the redirect back to VS Code', async () => back(), { timeoutMs: 20_000, seen: async () => p.url() });
  // code-server's callback page hands the response to the workbench through localStorage
  // (which the workbench empties at once): let its script run before the tab closes.
  await p.waitForLoadState('load');
  const callback = new URL(p.url());
  // Names only (the values are the code and VS Code's callback): the order is what VS Code's parser depends on.
  const names = [...callback.searchParams.keys()];
  const query = callback.searchParams.get('vscode-query') ?? '';
  record(
    `browser: back at code-server's ${callback.pathname} with parameters ${names.join(', ')}; ` +
      `the query VS Code is handed begins "${names.filter((n) => !n.startsWith('vscode-'))[0] ?? query.split('=')[0]}="`,
  );
  await p.close().catch(() => undefined);
}

interface CallOutcome {
  kind: 'new token' | 'same token' | 'error' | 'sign-in prompt';
  detail: string;
  rejected401: number;
  /** Refresh grants for VS Code's client since the previous call (the idle wait and this call). */
  refreshes?: number;
}

/**
 * One call of the peer tool without signing in: tool confirmations are answered, a sign-in prompt
 * is recorded and dismissed, never completed.
 */
async function callOnce(
  w: World,
  m: PeerWorld,
  tool: string,
  last: WhoAmI | undefined,
  timeoutMs: number,
): Promise<{ outcome: CallOutcome; who?: WhoAmI }> {
  const before = m.server.stats.rejected.inactive + m.server.stats.rejected.missing;
  const rejected = () => m.server.stats.rejected.inactive + m.server.stats.rejected.missing - before;
  const answer = send(m.dir, { op: 'call', tool: `^${tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` });
  const prompts: string[] = [];
  const pages: Page[] = [];
  const onPage = (p: Page) => pages.push(p);
  w.wb.context.on('page', onPage);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const a = answer();
      if (a) {
        if (!a.ok)
          return {
            outcome: {
              kind: prompts.length ? 'sign-in prompt' : 'error',
              detail: [a.error ?? '', ...prompts].filter(Boolean).join('; '),
              rejected401: rejected(),
            },
          };
        const who = JSON.parse(a.text!) as WhoAmI;
        const kind = prompts.length ? 'sign-in prompt' : who.token === last?.token ? 'same token' : 'new token';
        return { outcome: { kind, detail: prompts.join('; '), rejected401: rejected() }, who };
      }
      if (Date.now() > deadline) {
        return {
          outcome: {
            kind: prompts.length ? 'sign-in prompt' : 'error',
            detail: [`no answer in ${timeoutMs / 1000} s`, ...prompts].join('; '),
            rejected401: rejected(),
          },
        };
      }
      const dialog = await dialogText(w);
      if (dialog && authPrompt.test(dialog)) {
        if (!prompts.includes(`dialog "${dialog}"`)) prompts.push(`dialog "${dialog}"`);
        // Dismissed, as the measurement is whether VS Code needs the person at all.
        if (!(await clickDialogButton(w, /^(Cancel|No)$/))) await w.wb.page.keyboard.press('Escape');
      } else if (dialog) {
        await clickDialogButton(w, /^(Yes|Allow|Continue)$/);
      }
      const toast = w.wb.page.locator('.notification-toast').filter({ hasText: authPrompt }).first();
      if (await toast.isVisible().catch(() => false)) {
        const t = `notification "${oneLine(await toast.innerText().catch(() => ''))}"`;
        if (!prompts.includes(t)) prompts.push(t);
      }
      for (const p of pages.splice(0)) {
        prompts.push(`browser tab opened: ${new URL(p.url()).origin}`);
        await p.close().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    w.wb.context.off('page', onPage);
  }
}

/** Refresh grants the IdP answered for VS Code's dynamically registered client so far. */
const refreshGrants = (w: World, clientId: string) => w.idp.stats.grantsByClient[clientId]?.[REFRESH_GRANT] ?? 0;

/** Definition ids VS Code gives a server in the user's mcp.json (local or remote user data). */
const PEER_IDS = ['usrlocal', 'usrremote'].map((scope) => `mcp.config.${scope}.${PEER_SERVER}`);

export function mcpBuiltinOAuthPeer(w: World, m: PeerWorld): Scenario {
  return {
    name: 'mcp-builtin-oauth-peer',
    // Numbers for the comparison, not a pass: the summary prints its line apart from the scenarios.
    kind: 'measurement',
    needs: ['mcp-http-server-across-refreshes'],
    async run(step) {
      await standInForVscodeDevRedirect(w);
      w.idp.setAccessTokenTtl(MCP_TOKEN_TTL_S);
      // VS Code names MCP tools after the server's own name (mcp_<prefix>_<tool>), the same for
      // both instances of the test server: the peer's whoami is the one its start adds.
      const before = await step('the tools before the peer starts', async () => {
        const answer = send(m.dir, { op: 'tools' });
        return until('the MCP driver to list the tools', async () => answer()?.tools, { timeoutMs: 10_000 });
      });
      const { trail, tools } = await step(
        "VS Code's own MCP OAuth signs in to the peer server",
        () => signInThroughVsCode(w, m, 150_000),
        { timeoutMs: 155_000 },
      );
      for (const t of trail) step.note(`sign-in: ${t}`);
      const tool = await step("the peer's whoami tool is listed", async () => {
        const added = tools.filter((t) => /whoami$/.test(t) && !before.includes(t));
        if (added.length !== 1)
          throw new Error(
            `the start added ${added.length} whoami tools: ${added.join(', ') || 'none'} (all: ${tools.join(', ')})`,
          );
        return added[0];
      });
      step.note(`peer tool: ${tool}`);
      const first = await step(
        'first call of the peer tool',
        async () => {
          const { outcome, who } = await callOnce(w, m, tool, undefined, 30_000);
          if (!who || outcome.kind === 'sign-in prompt') throw new Error(`${outcome.kind}: ${outcome.detail}`);
          return who;
        },
        { timeoutMs: 35_000 },
      );
      step.note(
        `built-in OAuth: first call as ${first.sub} with client ${first.client_id} (registered dynamically), token expires in ${(first.exp - Date.now() / 1000).toFixed(0)} s`,
      );
      const refreshesBefore = refreshGrants(w, first.client_id);
      const startedAt = Date.now();
      const outcomes = await afterExpiries(step, w, m, tool, first);
      const refreshes = {
        count: refreshGrants(w, first.client_id) - refreshesBefore,
        seconds: (Date.now() - startedAt) / 1000,
      };
      step.measure(summaryLine(trail, outcomes, refreshes, m.agentAuth?.()));
      // The rest of the run shares the IdP: stop the peer, and record whether VS Code keeps refreshing.
      await step('the peer server stops', async () => {
        const answer = send(m.dir, { op: 'stop', ids: PEER_IDS });
        await until('the MCP driver to stop the peer', async () => answer(), { timeoutMs: 15_000 });
        const atStop = refreshGrants(w, first.client_id);
        await new Promise((r) => setTimeout(r, 5_000)); // a measurement window, not a wait for a condition
        step.measure(
          `built-in OAuth: ${refreshGrants(w, first.client_id) - atStop} refresh grants in the 5 s after the peer server stopped`,
        );
      });
    },
  };
}

async function afterExpiries(step: Steps, w: World, m: PeerWorld, tool: string, first: WhoAmI): Promise<CallOutcome[]> {
  const outcomes: CallOutcome[] = [];
  let last = first;
  let expiresAt = first.exp * 1000;
  let refreshed = refreshGrants(w, first.client_id);
  for (let i = 1; i <= EXPIRIES; i++) {
    const outcome = await step(
      `peer call ${i} after its token expired`,
      async () => {
        // Wait for the expiry itself: the point is what happens after it.
        await until(
          `the peer's token to expire (at ${new Date(expiresAt).toISOString()})`,
          async () => Date.now() > expiresAt + 1_000,
          {
            timeoutMs: (MCP_TOKEN_TTL_S + 10) * 1000,
          },
        );
        const r = await callOnce(w, m, tool, last, 30_000);
        if (r.who) {
          last = r.who;
          expiresAt = r.who.exp * 1000;
        } else {
          // Nothing new to wait for: the next call comes one token lifetime later.
          expiresAt = Date.now() + MCP_TOKEN_TTL_S * 1000;
        }
        const now = refreshGrants(w, first.client_id);
        const outcome = { ...r.outcome, refreshes: now - refreshed };
        refreshed = now;
        return outcome;
      },
      { timeoutMs: (MCP_TOKEN_TTL_S + 50) * 1000 },
    );
    outcomes.push(outcome);
    step.note(
      `built-in OAuth, call after expiry ${i}: ${outcome.kind}; the server answered 401 ${outcome.rejected401} time(s); ` +
        `${outcome.refreshes} refresh grants since the previous call${outcome.detail ? `; ${outcome.detail}` : ''}`,
    );
  }
  return outcomes;
}

/** The one line to compare: how the sign-in went, each call after expiry, 401s, refreshes; Agent Auth beside it. */
function summaryLine(
  trail: string[],
  outcomes: CallOutcome[],
  refreshes: { count: number; seconds: number },
  agentAuth: AgentAuthMcpMeasure | undefined,
): string {
  const urlHandlerFailed = trail.some((t) => /different way/i.test(t));
  const device = trail.some((t) => /Your code:/.test(t));
  const signIn = device
    ? `${urlHandlerFailed ? 'its URL-handler flow got no code back, ' : ''}signed in by its device-code fallback`
    : 'signed in by its URL-handler flow';
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const calls = [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
  const rejected = outcomes.reduce((n, o) => n + o.rejected401, 0);
  const ours = agentAuth
    ? ` | Agent Auth: ${agentAuth.calls} calls over ${agentAuth.spanS} s, ${agentAuth.tokens} tokens, ${agentAuth.rejected401} 401s, ${agentAuth.sessions} MCP session(s), no prompt`
    : '';
  return `mcp-peer: built-in OAuth: ${signIn}; ${outcomes.length} calls after expiry: ${calls}; ${rejected} 401s at the server; ${refreshes.count} refresh grants in ${refreshes.seconds.toFixed(0)} s${ours}`;
}

/**
 * VS Code's built-in OAuth sends the browser to https://vscode.dev/redirect, a static page that
 * forwards the authorization response to the `state` URL (here: code-server's own callback),
 * adding the response's parameters to it. This machine cannot reach vscode.dev, so the browser
 * context does that page's one job in its place. Putting `code` anywhere but after the callback's
 * own parameters would make it kinder than the real page: VS Code misses the code the same way
 * behind the real one (posit-dev/positron#14212) and with no redirect page at all
 * (microsoft/vscode#312105).
 */
async function standInForVscodeDevRedirect(w: World): Promise<void> {
  await w.wb.context.route(/^https:\/\/(insiders\.)?vscode\.dev\/redirect/, (route) => {
    const u = new URL(route.request().url());
    // `state` is VS Code's URI.toString(): its query arrives percent-encoded once more.
    const [base, query = ''] = (u.searchParams.get('state') ?? 'about:blank').split('?', 2) as [string, string?];
    const target = new URL(`${base}?${decodeURIComponent(query)}`);
    for (const [k, v] of u.searchParams) if (k !== 'state') target.searchParams.set(k, v);
    return route.fulfill({ status: 302, headers: { location: target.toString() } });
  });
}
