import type { Locator } from 'playwright-core';
import type { Scenario } from '../runner.js';
import { until } from '../world.js';
import type { Workbench } from '../workbench.js';

/** Providers of the hostile test IdP (test/fixtures/idpHostile.ts) for the window this scenario runs in. */
export const HOSTILE_PROVIDERS = (issuer: string, clientId: string) => [
  // An unknown client: the device authorization endpoint answers invalid_client with the hostile error_description.
  {
    id: 'hostile-client',
    label: 'Hostile client',
    issuer,
    clientId: 'no-such-client',
    scopes: ['openid'],
    flow: 'deviceCode',
  },
  // A known client: the answer carries a hostile verification_uri (another host, a command link, escapes, 10 KB).
  { id: 'hostile-device', label: 'Hostile device', issuer, clientId, scopes: ['openid'], flow: 'deviceCode' },
];

interface ToastDom {
  /** What is rendered (innerText). */
  text: string;
  /** Everything in the DOM, hidden parts too (textContent). */
  all: string;
  links: { text: string; href: string }[];
}

/** What the user sees of a notification: its text, and every element that could be clicked as a link. */
async function toastDom(toast: Locator): Promise<ToastDom> {
  return toast.evaluate((el) => ({
    text: (el as HTMLElement).innerText ?? '',
    all: el.textContent ?? '',
    links: Array.from(el.querySelectorAll('a, [href], [data-href]')).map((a) => ({
      text: a.textContent ?? '',
      href: a.getAttribute('href') ?? a.getAttribute('data-href') ?? '',
    })),
  }));
}

function expectInert(dom: ToastDom, what: string): void {
  const problems = [
    ...dom.links
      .filter((l) => /command:/i.test(l.href) || /Fix it now/.test(l.text))
      .map((l) => `a link "${l.text}" → ${l.href}`),
    /[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(dom.all) && `control characters in ${JSON.stringify(dom.all.slice(0, 200))}`,
    /\]\(command:/i.test(dom.all) && 'a raw markdown command link in the DOM',
    dom.text.length > 1_000 && `${dom.text.length} characters shown: …${JSON.stringify(dom.text.slice(-300))}`,
    // The server's text must have arrived (inert), or this scenario proves nothing.
    !dom.text.includes('[Fix it now] (command: workbench.action.terminal.new)') &&
      `no (neutralised) server text in ${JSON.stringify(dom.text.slice(0, 300))}`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`${what}: ${problems.join('; ')}`);
}

async function failedSignIn(wb: Workbench, label: string): Promise<ToastDom> {
  await wb.runCommand('Agent Auth: Sign In');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
  const toast = wb.notification(new RegExp(`sign-in to ${label} failed`));
  await until(`a notification "sign-in to ${label} failed"`, async () => toast.first().isVisible(), {
    timeoutMs: 20_000,
    seen: async () => `notifications: ${(await wb.notification(/./).allInnerTexts()).join(' | ') || 'none'}`,
  });
  return toastDom(toast.first());
}

/**
 * Server text is hostile: an IdP whose every string carries a `[Fix it now](command:…)` link,
 * terminal escapes and 10 KB. The notifications the user gets hold none of it as a link, a control
 * character or a wall of text. Read from the notification's DOM in the real workbench.
 */
export function hostileIdpText(wb: () => Workbench): Scenario {
  return {
    name: 'hostile-idp-text',
    async run(step) {
      await step(
        'Agent Auth is ready (status bar offers to sign in)',
        () =>
          until('the Agent Auth status bar item saying "Sign in"', () => wb().offersSignIn(), {
            timeoutMs: 45_000,
            seen: async () => `status bar: ${(await wb().statusTexts()).join(' | ')}`,
          }),
        { timeoutMs: 50_000 },
      );
      const client = await step('sign-in with an error_description full of links and escapes', () =>
        failedSignIn(wb(), 'Hostile client'),
      );
      await step('the error notification has no link, no control character, no 10 KB', async () =>
        expectInert(client, 'invalid_client notification'),
      );
      step.note(
        `shown (${client.text.length} characters rendered, ${client.all.length} in the DOM): ${client.text.slice(0, 160)}…`,
      );
      if (client.all.length > 1_000)
        step.note(`DOM text beyond the first 1000 characters: ${JSON.stringify(client.all.slice(1_000, 1_300))}`);
      await step('clear the notifications', () => wb().runCommand('Notifications: Clear All Notifications'));
      const device = await step('sign-in whose verification_uri points elsewhere', () =>
        failedSignIn(wb(), 'Hostile device'),
      );
      await step('the refusal names no clickable URI and nothing raw', async () => {
        expectInert(device, 'verification_uri notification');
        if (!/will not open/.test(device.text)) throw new Error(`not the refusal: ${device.text.slice(0, 200)}`);
      });
    },
  };
}
