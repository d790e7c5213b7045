import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestMcpServer, WhoAmI } from '../../fixtures/mcpServer.js';
import type { Scenario, Steps } from '../runner.js';
import { until, type World } from '../world.js';
import { fillLogin, submitLogin } from './browser.js';
import { MCP_TOKEN_TTL_S, writeRequest } from './mcp.js';

/**
 * The peer: the same MCP server (a second instance, its own counters) configured in the user's
 * mcp.json with no Agent Auth involvement, so VS Code's built-in MCP OAuth signs in (RFC 9728
 * metadata, dynamic client registration at the test IdP, authorization code in the browser).
 * Then it is called after each of three token expiries, and what happens is recorded: a new
 * token (VS Code refreshed), an error, or a sign-in prompt. Only the set-up can fail this
 * scenario; the outcome is a measurement, printed for the comparison with Agent Auth.
 *
 * Not finished, so not in the default run (AGENT_AUTH_E2E_MCP_PEER=1 adds it): VS Code registers
 * its client, asks to authenticate and opens the browser, the IdP redirects to
 * vscode.dev/redirect (stood in for below) and on to code-server's callback, but VS Code then logs
 * "No authorization code received" and offers its device-code fallback.
 */
export const PEER_SERVER = 'peer';
const PEER_WHOAMI = '^mcp_peer_.*whoami$';
const EXPIRIES = 3;

export interface PeerWorld {
  server: TestMcpServer;
  /** The host-runner's MCP driver folder. */
  dir: string;
}

/** User/mcp.json: the peer server, written before code-server starts. */
export function writePeerMcpJson(userDataDir: string, url: string): void {
  writeFileSync(join(userDataDir, 'User', 'mcp.json'), JSON.stringify({ servers: { [PEER_SERVER]: { type: 'http', url } } }, null, 2));
}

interface Observed {
  ok: boolean;
  text?: string;
  error?: string;
  at: number;
  /** Texts of VS Code dialogs that showed while the request was pending. */
  dialogs: string[];
}

let seq = 1000;
/**
 * One request to the MCP driver. Tool confirmations ("Yes") are clicked; other dialogs (VS Code
 * asking to sign in) are clicked only when `signIn` is true, and then the IdP's login page that
 * opens is completed. Every dialog text is recorded.
 */
async function request(w: World, dir: string, body: object, o: { signIn: boolean; timeoutMs: number }): Promise<Observed> {
  const n = ++seq;
  const dialogs = new Set<string>();
  const pages: Page[] = [];
  const onPage = (p: Page) => pages.push(p);
  w.wb.context.on('page', onPage);
  const response = writeRequest(dir, n, body);
  const deadline = Date.now() + o.timeoutMs;
  try {
    for (;;) {
      if (existsSync(response)) {
        const r = JSON.parse(readFileSync(response, 'utf8')) as Omit<Observed, 'dialogs'>;
        return { ...r, dialogs: [...dialogs] };
      }
      if (Date.now() > deadline) return { ok: false, error: `no answer in ${o.timeoutMs / 1000} s`, at: Date.now(), dialogs: [...dialogs] };
      const box = w.wb.page.locator('.monaco-dialog-box').first();
      if (await box.isVisible().catch(() => false)) {
        const text = (await box.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
        dialogs.add(text);
        const isConfirmation = !/authenticat|sign in|sign-in|login|open the external/i.test(text);
        if (isConfirmation || o.signIn) {
          const button = box.getByRole('button', { name: /^(Yes|Allow|Continue|Open)$/ }).first();
          if (await button.isVisible().catch(() => false)) await button.click().catch(() => undefined);
        }
      }
      const notification = w.wb.page.locator('.notification-toast').filter({ hasText: /authenticat|sign in/i }).first();
      if (await notification.isVisible().catch(() => false)) dialogs.add(`notification: ${(await notification.innerText()).replace(/\s+/g, ' ').trim()}`);
      for (const p of pages.splice(0)) {
        if (!o.signIn) {
          dialogs.add(`browser tab opened: ${p.url()}`);
          continue;
        }
        // The browser may still hold an IdP session from Agent Auth's sign-in: no login page then.
        const back = () => p.url().startsWith('http://127.0.0.1');
        await until('the IdP login page or the redirect back to VS Code', async () => back() || (await p.locator('input[name="login"]').isVisible()), { timeoutMs: 20_000 });
        if (!back()) {
          await fillLogin(p);
          await submitLogin(p);
        }
        await until('the redirect back to VS Code', async () => back(), { timeoutMs: 20_000, seen: async () => p.url() });
        // code-server's callback page hands the response to the workbench through localStorage
        // (which the workbench empties at once): let its script run before the tab closes.
        await p.waitForLoadState('load');
        dialogs.add(`signed in at the IdP; redirected to ${new URL(p.url()).origin}`);
        await p.close().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    w.wb.context.off('page', onPage);
  }
}

/**
 * VS Code's built-in OAuth sends the browser to https://vscode.dev/redirect, a static page that
 * forwards the authorization response to the `state` URL (here: code-server's own callback). This
 * machine cannot reach vscode.dev, so the browser context does that page's one job in its place.
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

export function mcpBuiltinOAuthPeer(w: World, m: PeerWorld): Scenario {
  return {
    name: 'mcp-builtin-oauth-peer',
    needs: ['mcp-http-server-across-refreshes'],
    async run(step) {
      await standInForVscodeDevRedirect(w);
      await step("VS Code's own MCP OAuth signs in to the peer server", async () => {
        const r = await request(w, m.dir, { op: 'start' }, { signIn: true, timeoutMs: 90_000 });
        for (const d of r.dialogs) step.note(`seen: ${d}`);
        if (!r.ok) throw new Error(r.error);
      }, { timeoutMs: 95_000 });
      const first = await step('first call of the peer tool', async () => {
        const r = await request(w, m.dir, { op: 'call', tool: PEER_WHOAMI }, { signIn: true, timeoutMs: 60_000 });
        if (!r.ok) throw new Error(`${r.error}; dialogs: ${r.dialogs.join(' | ') || 'none'}`);
        return JSON.parse(r.text!) as WhoAmI;
      }, { timeoutMs: 65_000 });
      step.note(`built-in OAuth: first call as ${first.sub} with client ${first.client_id} (registered dynamically), token expires in ${(first.exp - Date.now() / 1000).toFixed(0)} s`);
      await afterExpiries(step, w, m, first);
    },
  };
}

async function afterExpiries(step: Steps, w: World, m: PeerWorld, first: WhoAmI): Promise<void> {
  let last = first;
  const rejectedAtStart = m.server.stats.rejected.inactive;
  for (let i = 1; i <= EXPIRIES; i++) {
    const outcome = await step(`peer call ${i} after its token expired`, async () => {
      // Wait for the expiry itself: the point is what happens after it.
      await until(`the peer's token to expire (at ${new Date(last.exp * 1000).toISOString()})`, async () => Date.now() > last.exp * 1000 + 1_000, {
        timeoutMs: (MCP_TOKEN_TTL_S + 10) * 1000,
      });
      const rejected = m.server.stats.rejected.inactive;
      const r = await request(w, m.dir, { op: 'call', tool: PEER_WHOAMI }, { signIn: false, timeoutMs: 30_000 });
      const got401 = m.server.stats.rejected.inactive - rejected;
      if (r.ok) {
        const who = JSON.parse(r.text!) as WhoAmI;
        const line = `${who.token === last.token ? 'same token' : 'a new token'}; the server answered 401 ${got401} time(s) before; dialogs: ${r.dialogs.join(' | ') || 'none'}`;
        last = who;
        return `ok with ${line}`;
      }
      return `FAILED: ${r.error}; the server answered 401 ${got401} time(s); dialogs: ${r.dialogs.join(' | ') || 'none'}`;
    }, { timeoutMs: (MCP_TOKEN_TTL_S + 50) * 1000 });
    step.note(`built-in OAuth, call after expiry ${i}: ${outcome}`);
    if (outcome.startsWith('FAILED')) {
      // Once it fails it needs a person; record it and stop.
      step.note(`built-in OAuth: 401s at the server in total: ${m.server.stats.rejected.inactive - rejectedAtStart}`);
      return;
    }
  }
  step.note(`built-in OAuth: 401s at the server in total: ${m.server.stats.rejected.inactive - rejectedAtStart}`);
}
