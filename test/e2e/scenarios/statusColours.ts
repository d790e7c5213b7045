import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';
import { expectCallbackPage, fillLogin, submitLogin, waitForCountdown } from './browser.js';

/** A client the test IdP never gives a refresh token (its grant types leave refresh_token out). */
export const NO_REFRESH_CLIENT = {
  client_id: 'agent-auth-norefresh',
  client_name: 'Agent Auth (test, no refresh token)',
  application_type: 'native' as const,
  token_endpoint_auth_method: 'none' as const,
  grant_types: ['authorization_code'],
  response_types: ['code' as const],
  redirect_uris: ['http://127.0.0.1/callback'],
};
const LABEL = 'No Refresh';

/**
 * A session that cannot refresh (no refresh token) and a token that lives 40 s: the item is
 * painted in the theme's warning colour and counts seconds, then turns to the error colour with
 * "<provider>: Sign in" when the token expires. Colours are read from the real status bar.
 */
export function statusColoursWithoutRefresh(w: World): Scenario {
  return {
    name: 'status-colours-without-refresh',
    async run(step) {
      await step('settings hold only a provider that gets no refresh token', async () => {
        await w.replaceSettings({
          'agentAuth.providers': [
            {
              id: 'norefresh',
              label: LABEL,
              issuer: w.idp.issuer,
              clientId: NO_REFRESH_CLIENT.client_id,
              scopes: ['openid'],
              flow: 'authorizationCode',
              envVar: 'NOREFRESH_TOKEN',
            },
          ],
        });
        await until(
          `"${LABEL}: Sign in" in the status bar`,
          async () => (await w.wb.statusTexts()).includes(`${LABEL}: Sign in`),
          {
            timeoutMs: 10_000,
            seen: async () => (await w.wb.statusTexts()).join(' | '),
          },
        );
      });
      const tab = await step('palette Sign In opens the IdP', async () => {
        await w.wb.runCommand('Agent Auth: Sign In');
        return w.wb.confirmExternalOpen();
      });
      await step(
        'IdP signs in and redirects back',
        async () => {
          // The browser may still have an IdP session from earlier scenarios: then there is no login page.
          const login = await until('the login page or the callback', async () => {
            if (/\/callback\b/.test(tab.url())) return 'callback';
            return (await tab.locator('main[data-page="login"]').count()) > 0 && 'login';
          });
          if (login === 'login') {
            await fillLogin(tab);
            await submitLogin(tab);
          }
          await expectCallbackPage(tab);
        },
        { page: tab },
      );
      await tab.close();
      const first = await step('the item warns and counts seconds', async () => {
        const shown = await waitForCountdown(w, 20_000, LABEL);
        if (!/^\d+s$/.test(shown))
          throw new Error(`expected seconds in the last minute of a token that cannot be refreshed, saw "${shown}"`);
        const colour = await w.wb.statusColour(LABEL);
        if (colour.kind !== 'warning')
          throw new Error(`the item is painted ${colour.kind} (${colour.css}), expected the warning colour`);
        step.note(`"${LABEL} ${shown}", ${colour.css}`);
        return shown;
      });
      await step('the seconds tick', async () => {
        const next = await until(
          `a countdown other than ${first}`,
          async () => {
            const s = await waitForCountdown(w, 2_000, LABEL).catch(() => undefined);
            return s !== undefined && s !== first && s;
          },
          { timeoutMs: 5_000 },
        );
        step.note(`${first} → ${next}`);
      });
      await step(
        'at expiry: "Sign in", in the error colour',
        async () => {
          const text = `${LABEL}: Sign in`;
          await until(`"${text}" in the status bar`, async () => (await w.wb.statusTexts()).includes(text), {
            timeoutMs: 50_000,
            seen: async () => (await w.wb.statusTexts()).join(' | '),
          });
          const colour = await w.wb.statusColour(text);
          if (colour.kind !== 'error')
            throw new Error(`the item is painted ${colour.kind} (${colour.css}), expected the error colour`);
          step.note(`"${text}", ${colour.css}`);
        },
        { timeoutMs: 55_000 },
      );
    },
  };
}
