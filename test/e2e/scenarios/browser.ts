import type { Page } from 'playwright-core';
import { PROVIDER_LABEL } from '../providerSettings.js';
import { countdownText, until, type World } from '../world.js';

/** Any user name works at the test IdP. */
export const USER = 'e2e-user';

/** The IdP pages name themselves with <main data-page="...">. */
async function idpPage(tab: Page): Promise<string | null> {
  return tab.locator('main[data-page]').getAttribute('data-page', { timeout: 1_000 });
}

async function describeTab(tab: Page): Promise<string> {
  return `${tab.url()}: ${(
    await tab
      .locator('body')
      .innerText()
      .catch(() => '')
  )
    .replace(/\s+/g, ' ')
    .slice(0, 300)}`;
}

export async function fillLogin(tab: Page): Promise<void> {
  await until('the IdP login page', async () => (await idpPage(tab)) === 'login', { seen: () => describeTab(tab) });
  await tab.locator('input[name="login"]').fill(USER);
}

export async function submitLogin(tab: Page): Promise<void> {
  await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The loopback redirect lands on the extension's own page. */
export async function expectCallbackPage(tab: Page): Promise<string> {
  return until(
    'the browser at http://127.0.0.1:<port>/callback saying the tab may be closed',
    async () => {
      const text = await tab.locator('body').innerText();
      return (
        /^http:\/\/127\.0\.0\.1:\d+\/callback\b/.test(tab.url()) && /close (this|the) tab/i.test(text) && text.trim()
      );
    },
    { seen: () => describeTab(tab) },
  );
}

/** Walks the device pages (code entry, login, confirmation) until the IdP says the device is approved. */
export async function approveDevice(tab: Page, userCode: string): Promise<void> {
  const visited: string[] = [];
  for (let i = 0; i < 8; i++) {
    const page = await until('an IdP page', () => idpPage(tab).then((p) => p ?? undefined), {
      seen: () => describeTab(tab),
    });
    visited.push(page);
    switch (page) {
      case 'device-success':
        return;
      case 'device-input': {
        const input = tab.locator('input[name="user_code"]');
        if (!(await input.inputValue())) await input.fill(userCode);
        await tab.getByRole('button', { name: 'Continue', exact: true }).click();
        break;
      }
      case 'login':
        await fillLogin(tab);
        await submitLogin(tab);
        break;
      case 'device-confirm': {
        const shown = await tab.locator('main code').innerText();
        if (shown.replace(/-/g, '') !== userCode.replace(/-/g, '')) {
          throw new Error(`the IdP asks to confirm code ${shown}, VS Code showed ${userCode}`);
        }
        await tab.getByRole('button', { name: 'Approve', exact: true }).click();
        break;
      }
      default:
        throw new Error(`unexpected IdP page "${page}": ${await describeTab(tab)}`);
    }
    await until(`the IdP to leave the "${page}" page`, async () => (await idpPage(tab).catch(() => null)) !== page, {
      seen: () => describeTab(tab),
    });
  }
  throw new Error(`the device pages did not finish; visited ${visited.join(' → ')}`);
}

/** The status bar's countdown for the provider ("<1m" while it refreshes itself, "39s" in the last minute before an unavoidable expiry). */
export async function waitForCountdown(
  w: Pick<World, 'wb'>,
  timeoutMs = 20_000,
  label = PROVIDER_LABEL,
): Promise<string> {
  return until(
    `a status bar item "${label} <countdown>"`,
    async () => {
      for (const t of await w.wb.statusTexts()) {
        const c = t.includes(label) && !t.includes(':') ? countdownText(t) : undefined;
        if (c !== undefined) return c;
      }
      return undefined;
    },
    { timeoutMs, seen: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}` },
  );
}
