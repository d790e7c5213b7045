import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';
import { approveDevice, expectCallbackPage, fillLogin, submitLogin, USER, waitForCountdown } from './browser.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const grants = (w: Pick<World, 'idp'>, type: string) => w.idp.stats.grants[type] ?? 0;

/** (a) Authorization code + PKCE through the palette, the browser and the loopback redirect. */
export function authCodeSignIn(w: Pick<World, 'wb' | 'idp'>): Scenario {
  return {
    name: 'auth-code-sign-in',
    async run(step) {
      const before = grants(w, 'authorization_code');
      await step('status bar offers to sign in', () =>
        until('the Agent Auth status bar item saying "Sign in"', async () => (await w.wb.statusTexts()).includes('Sign in'), {
          timeoutMs: 45_000,
          seen: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}`,
        }), { timeoutMs: 50_000 });
      const tab = await step('palette Sign In asks to open the IdP', async () => {
        await w.wb.runCommand('Agent Auth: Sign In');
        return w.wb.confirmExternalOpen();
      });
      await step('IdP login page takes a user name', () => fillLogin(tab), { page: tab });
      await step('IdP login page signs in', () => submitLogin(tab), { page: tab });
      const text = await step('loopback callback page', () => expectCallbackPage(tab), { page: tab });
      step.note(`callback page: "${text.replace(/\s+/g, ' ')}"`);
      await tab.close();
      const secs = await step('status bar countdown', () => waitForCountdown(w));
      step.note(`status bar counts down from ${secs}s`);
      await step('IdP redeemed one authorization code', async () => {
        const n = grants(w, 'authorization_code') - before;
        if (n !== 1) throw new Error(`the IdP saw ${n} authorization_code grants, expected 1`);
      });
      await step('Accounts menu lists the session', async () => {
        await w.wb.page.locator('.activitybar').getByRole('button', { name: /^Accounts/ }).click();
        const entry = w.wb.page.locator('.monaco-menu .action-label', { hasText: '(Agent Auth)' });
        // Left open for the screenshot; the next command closes it.
        await until(`an Accounts menu entry "<account> (Agent Auth)" naming ${USER}`, async () => (await entry.first().innerText()).includes(USER), {
          timeoutMs: 10_000,
          seen: async () => `menu: ${(await w.wb.page.locator('.monaco-menu .action-label').allInnerTexts()).join(' | ') || 'nothing'}`,
        });
      });
    },
  };
}

/** (e) Device authorization grant: the notification's button, then the IdP's device pages in the new tab. */
export function deviceCodeSignIn(w: Pick<World, 'wb' | 'idp' | 'useFlow'>): Scenario {
  return {
    name: 'device-code-sign-in',
    async run(step) {
      const before = grants(w, DEVICE_GRANT);
      await step('settings switch the provider to the device flow', async () => {
        await w.useFlow('deviceCode');
        // Nothing visible changes; give the extension host a moment to receive the change.
        await new Promise((r) => setTimeout(r, 1_000));
      });
      const prompt = w.wb.notification(/your sign-in code is/);
      const userCode = await step('palette Sign In shows a user code', async () => {
        await w.wb.runCommand('Agent Auth: Sign In');
        await until('a notification "Agent Auth: your sign-in code is <code>"', async () => prompt.first().isVisible(), {
          seen: async () => `notifications: ${(await w.wb.notification(/./).allInnerTexts()).join(' | ') || 'none'}`,
        });
        const m = /your sign-in code is\s+([A-Z0-9-]+)/i.exec(await prompt.first().innerText());
        if (!m) throw new Error(`no code in "${await prompt.first().innerText()}"`);
        return m[1];
      });
      step.note(`user code ${userCode}`);
      const tab = await step('Copy code and open browser', async () => {
        await prompt.first().getByRole('button', { name: 'Copy code and open browser' }).click();
        return w.wb.confirmExternalOpen();
      });
      await step('clipboard holds the user code', async () => {
        const clip = await w.wb.readClipboard();
        if (clip !== userCode) throw new Error(`clipboard holds "${clip.slice(0, 20)}", expected ${userCode}`);
      });
      await step('IdP device pages approve the code', () => approveDevice(tab, userCode), { page: tab, timeoutMs: 45_000 });
      await tab.close();
      const secs = await step('status bar countdown', () => waitForCountdown(w, 30_000), { timeoutMs: 35_000 });
      step.note(`status bar counts down from ${secs}s`);
      await step('IdP issued tokens for the device code', async () => {
        // Polls before approval count too (authorization_pending), so at least one.
        if (grants(w, DEVICE_GRANT) - before < 1) throw new Error('the IdP saw no device_code token request');
      });
    },
  };
}
