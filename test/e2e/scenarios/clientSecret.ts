import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';
import { expectCallbackPage, fillLogin, submitLogin } from './browser.js';

export const CONFIDENTIAL_CLIENT_ID = 'agent-auth-confidential';
export const CONFIDENTIAL_CLIENT_SECRET = 'e2e-client-secret-9f1c';
const LABEL = 'Confidential IdP';

/** A provider entry for the IdP's confidential client: the secret is not in it, only the method. */
export const confidentialProvider = (issuer: string) => ({
  id: 'conf',
  label: LABEL,
  issuer,
  clientId: CONFIDENTIAL_CLIENT_ID,
  clientAuthentication: 'client_secret_post',
  scopes: ['openid', 'offline_access'],
  flow: 'authorizationCode',
  envVar: 'CONF_TOKEN',
});

/**
 * A confidential client (Google desktop apps, Keycloak confidential clients): sign-in asks for the
 * missing client secret in a password box; "Set Client Secret…" replaces it; refreshes use it (a
 * wrong one gets the IdP's invalid_client, the right one works again).
 * `withConfidential(true)` adds the entry to the User settings, `false` removes it again.
 */
export function clientSecret(w: World, withConfidential: (on: boolean) => Promise<void>): Scenario {
  const input = () => w.wb.page.locator('.quick-input-widget input.input');
  const title = () => w.wb.page.locator('.quick-input-widget .quick-input-title');
  const pick = async (label: string) => {
    const row = w.wb.page.locator('.quick-input-list .monaco-list-row', {
      has: w.wb.page.locator('.label-name', { hasText: label }),
    });
    await row.first().click();
  };
  const enterSecret = async (secret: string) => {
    await until(
      `a password box titled "client secret for ${LABEL}"`,
      async () => (await title().innerText()).includes(`client secret for ${LABEL}`),
      {
        timeoutMs: 10_000,
        seen: async () =>
          `quick input title: ${await title()
            .innerText()
            .catch(() => 'none')}`,
      },
    );
    if ((await input().getAttribute('type')) !== 'password') throw new Error('the secret box is not a password input');
    await input().fill(secret);
    await input().press('Enter');
  };
  return {
    name: 'client-secret',
    needs: ['auth-code-sign-in'],
    async run(step) {
      // Counted for the confidential client alone: the other provider refreshes on its own meanwhile.
      const grants = (type: string) => w.idp.stats.grantsByClient[CONFIDENTIAL_CLIENT_ID]?.[type] ?? 0;
      const codesBefore = grants('authorization_code');
      await step('settings add a provider with clientAuthentication', () => withConfidential(true));
      try {
        const tab = await step('Sign In asks for the missing client secret, then opens the IdP', async () => {
          await until(
            `"${LABEL}" among the providers`,
            async () => {
              await w.wb.runCommand('Agent Auth: Sign In');
              const offered = await w.wb.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
              if (offered.some((t) => t.includes(LABEL))) return true;
              await w.wb.closeMenus();
              return false;
            },
            { timeoutMs: 15_000 },
          );
          await pick(LABEL);
          await enterSecret(CONFIDENTIAL_CLIENT_SECRET);
          return w.wb.confirmExternalOpen();
        });
        await step(
          'IdP login (or its existing browser session) and the callback page',
          async () => {
            // The earlier scenarios left a session at the IdP: then it redirects back without a login page.
            const landed = await until(
              'the IdP login page or the callback page',
              async () =>
                (await tab.locator('main[data-page="login"]').count())
                  ? 'login'
                  : /\/callback\b/.test(tab.url()) && 'callback',
              { timeoutMs: 15_000 },
            );
            if (landed === 'login') {
              await fillLogin(tab);
              await submitLogin(tab);
            }
            step.note(`IdP ${landed === 'login' ? 'asked for a login' : 'reused its browser session'}`);
            await expectCallbackPage(tab);
            await tab.close();
          },
          { page: tab },
        );
        // No toast on success (the status bar says it): the IdP redeeming the code is the proof; the refreshes below need the session.
        await step('signed in with the secret', () =>
          until('an authorization_code grant at the IdP', async () => grants('authorization_code') > codesBefore, {
            timeoutMs: 15_000,
          }),
        );

        const refresh = async (expected: RegExp | 'refreshed') => {
          const before = grants('refresh_token');
          await w.wb.runCommand('Agent Auth: Refresh Now');
          await pick(LABEL);
          const seen = async () =>
            `notifications: ${(await w.wb.notification(/./).allInnerTexts()).join(' | ') || 'none'}; ${grants('refresh_token') - before} refreshes`;
          if (expected === 'refreshed')
            await until('one more refresh_token grant at the IdP', async () => grants('refresh_token') > before, {
              timeoutMs: 15_000,
              seen,
            });
          else
            await until(
              `a notification matching ${expected}`,
              async () => w.wb.notification(expected).first().isVisible(),
              { timeoutMs: 15_000, seen },
            );
        };
        await step('Set Client Secret… stores a wrong secret; a refresh gets invalid_client', async () => {
          await w.wb.runCommand('Agent Auth: Set Client Secret…');
          await enterSecret('not-the-secret');
          await until('"client secret … stored"', async () =>
            w.wb.notification(`client secret of ${LABEL} stored`).first().isVisible(),
          );
          await refresh(/refresh of Confidential IdP failed[\s\S]*invalid_client/);
        });
        await step('Set Client Secret… with the right secret; the refresh works', async () => {
          await w.wb.runCommand('Agent Auth: Set Client Secret…');
          await enterSecret(CONFIDENTIAL_CLIENT_SECRET);
          await refresh('refreshed');
        });
      } finally {
        await step('settings drop the provider again', () => withConfidential(false));
      }
    },
  };
}
