import { PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';
import { approveDevice, expectCallbackPage, fillLogin, submitLogin, USER, waitForCountdown } from './browser.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const grants = (w: Pick<World, 'idp'>, type: string) => w.idp.stats.grants[type] ?? 0;

/** How many sign-ins the Accounts menu says Agent Auth requests: "Sign in with Agent Auth to use Agent Auth (N)". */
function signInRequests(menu: string[]): number {
  let n = 0;
  for (const t of menu) {
    const m = /^Sign in with Agent Auth to use Agent Auth(?: \((\d+)\))?/.exec(t);
    if (m) n += Number(m[1] ?? 1);
  }
  return n;
}

/** (a) Authorization code + PKCE through the palette, the browser and the loopback redirect. */
export function authCodeSignIn(w: Pick<World, 'wb' | 'idp'>): Scenario {
  return {
    name: 'auth-code-sign-in',
    async run(step) {
      const before = grants(w, 'authorization_code');
      /** Sign-in requests in the Accounts menu before this sign-in (the host tests may leave some for providers they configured). */
      let requested = 0;
      await step(
        'status bar offers to sign in, by name and calmly',
        async () => {
          await until(
            `the Agent Auth status bar item saying "${PROVIDER_LABEL}: Sign in"`,
            async () => (await w.wb.statusTexts()).includes(`${PROVIDER_LABEL}: Sign in`),
            {
              timeoutMs: 45_000,
              seen: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}`,
            },
          );
          const colour = await w.wb.statusColour(`${PROVIDER_LABEL}: Sign in`);
          if (colour.kind !== 'neutral')
            throw new Error(`signed out, the item is painted ${colour.kind} (${colour.css})`);
        },
        { timeoutMs: 50_000 },
      );
      await step('Accounts menu shows that a sign-in is requested', async () => {
        const entries = await until(
          'an Accounts menu entry "Sign in with Agent Auth to use Agent Auth (1)"',
          async () => {
            const all = await w.wb.accountsMenu().catch(() => []);
            return all.some((t) => /^Sign in with Agent Auth to use Agent Auth/.test(t)) && all;
          },
          {
            timeoutMs: 15_000,
            seen: async () => `menu: ${(await w.wb.accountsMenu().catch(() => [])).join(' | ') || 'nothing'}`,
          },
        );
        step.note(`Accounts menu: ${entries.join(' | ')}`);
        requested = signInRequests(entries);
        await w.wb.closeMenus();
      });
      const tab = await step('palette Sign In asks to open the IdP', async () => {
        await w.wb.runCommand('Agent Auth: Sign In');
        return w.wb.confirmExternalOpen();
      });
      await step('IdP login page takes a user name', () => fillLogin(tab), { page: tab });
      await step('IdP login page signs in', () => submitLogin(tab), { page: tab });
      const text = await step('loopback callback page', () => expectCallbackPage(tab), { page: tab });
      step.note(`callback page: "${text.replace(/\s+/g, ' ')}"`);
      await tab.close();
      const shown = await step('status bar countdown', () => waitForCountdown(w));
      step.note(`status bar shows ${PROVIDER_LABEL} ${shown}`);
      await step('IdP redeemed one authorization code', async () => {
        const n = grants(w, 'authorization_code') - before;
        if (n !== 1) throw new Error(`the IdP saw ${n} authorization_code grants, expected 1`);
      });
      await step('Accounts menu lists the session', async () => {
        await w.wb.page
          .locator('.activitybar')
          .getByRole('button', { name: /^Accounts/ })
          .click();
        const entry = w.wb.page.locator('.monaco-menu .action-label', { hasText: '(Agent Auth)' });
        // Left open for the screenshot; the next command closes it.
        await until(
          `an Accounts menu entry "<account> (Agent Auth)" naming ${USER}`,
          async () => (await entry.first().innerText()).includes(USER),
          {
            timeoutMs: 10_000,
            seen: async () =>
              `menu: ${(await w.wb.page.locator('.monaco-menu .action-label').allInnerTexts()).join(' | ') || 'nothing'}`,
          },
        );
        // This provider's request is answered; requests for providers the host tests configured may remain.
        const labels = () => w.wb.page.locator('.monaco-menu .action-label').allInnerTexts();
        await until(
          `one sign-in request fewer in the Accounts menu (${requested} before)`,
          async () => signInRequests(await labels()) === requested - 1,
          {
            timeoutMs: 5_000,
            seen: async () => `menu: ${(await labels()).join(' | ')}`,
          },
        );
      });
    },
  };
}

/**
 * (e) Device authorization grant, as VS Code's GitHub provider does it: one modal dialog with the
 * code and "Copy code and open <host>", one progress notification, and nothing left afterwards.
 */
export function deviceCodeSignIn(w: Pick<World, 'wb' | 'idp' | 'useFlow'>): Scenario {
  return {
    name: 'device-code-sign-in',
    async run(step) {
      const before = grants(w, DEVICE_GRANT);
      // flow "auto" in a web window: the browser flow would need code-server's /proxy/<port>/ path as
      // its redirect, which no IdP accepts for a native client, so Agent Auth falls back to the device code.
      await step('settings switch the provider to flow "auto"', async () => {
        await w.useFlow('auto');
        // Nothing visible changes; give the extension host a moment to receive the change.
        await new Promise((r) => setTimeout(r, 1_000));
      });
      await step('no notifications to begin with', async () => {
        await w.wb.runCommand('Notifications: Clear All Notifications');
        await until('no notification toasts', async () => (await w.wb.visibleNotifications()).length === 0, {
          timeoutMs: 5_000,
        });
      });
      const dialog = w.wb.page.locator('.monaco-dialog-box', { hasText: /Your sign-in code is/ });
      const host = new URL(w.idp.issuer).host;
      const userCode = await step('palette Sign In shows the code in a modal dialog', async () => {
        await w.wb.runCommand('Agent Auth: Sign In');
        await dialog.waitFor({ timeout: 20_000 });
        const m = /Your sign-in code is\s+([A-Z0-9-]+)/i.exec(await dialog.innerText());
        if (!m) throw new Error(`no code in "${await dialog.innerText()}"`);
        return m[1];
      });
      step.note(`user code ${userCode}`);
      await step('exactly one notification beside the dialog: the progress', async () => {
        const shown = await until(
          'the progress notification naming the code',
          async () => {
            const n = await w.wb.visibleNotifications();
            return n.some((t) => t.includes(userCode)) && n;
          },
          { timeoutMs: 10_000, seen: async () => (await w.wb.visibleNotifications()).join(' | ') || 'none' },
        );
        if (shown.length !== 1) throw new Error(`${shown.length} notifications: ${shown.join(' | ')}`);
        step.note(`notification: ${shown[0].replace(/\s+/g, ' ')}`);
        await w.wb.readmeShot('device-code', dialog);
      });
      const tab = await step(`Copy code and open ${host}`, async () => {
        await w.wb.dialogButton(`Copy code and open ${host}`).click();
        return w.wb.confirmExternalOpen();
      });
      await step('clipboard holds the user code', async () => {
        const clip = await w.wb.readClipboard();
        if (clip !== userCode) throw new Error(`clipboard holds "${clip.slice(0, 20)}", expected ${userCode}`);
      });
      await step('IdP device pages approve the code', () => approveDevice(tab, userCode), {
        page: tab,
        timeoutMs: 45_000,
      });
      await tab.close();
      const shown = await step('status bar countdown', () => waitForCountdown(w, 30_000), { timeoutMs: 35_000 });
      step.note(`status bar shows ${PROVIDER_LABEL} ${shown}`);
      await step('nothing is left behind: no toast, nothing in the notification center', async () => {
        await until(
          'no notification toasts and a plain bell (nothing new, nothing in progress)',
          async () => {
            const toasts = await w.wb.visibleNotifications();
            return toasts.length === 0 && (await w.wb.notificationBell()) === 'bell';
          },
          {
            timeoutMs: 10_000,
            seen: async () =>
              `toasts: ${(await w.wb.visibleNotifications()).join(' | ') || 'none'}; bell: ${await w.wb.notificationBell()}`,
          },
        );
      });
      await step('IdP issued tokens for the device code', async () => {
        // Polls before approval count too (authorization_pending), so at least one.
        if (grants(w, DEVICE_GRANT) - before < 1) throw new Error('the IdP saw no device_code token request');
      });
    },
  };
}
