import { PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';

/** (d) Sign Out revokes at the IdP; the status bar asks to sign in by name, calmly, and so does the Accounts menu. No toast. */
export function signOut(w: Pick<World, 'wb' | 'idp'>): Scenario {
  return {
    name: 'sign-out',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const before = w.idp.stats.revocations;
      await step('palette Sign Out', () => w.wb.runCommand('Agent Auth: Sign Out'));
      await step('status bar asks to sign in, calmly', async () => {
        const text = `${PROVIDER_LABEL}: Sign in`;
        await until(`a status bar item "${text}"`, async () => (await w.wb.statusTexts()).includes(text), {
          timeoutMs: 10_000,
          seen: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}`,
        });
        const colour = await w.wb.statusColour(text);
        if (colour.kind !== 'neutral')
          throw new Error(`signed out, the item is painted ${colour.kind} (${colour.css})`);
      });
      await step('Accounts menu asks for a sign-in again', async () => {
        await until(
          'an Accounts menu entry "Sign in with Agent Auth to use Agent Auth (1)"',
          async () => {
            const all = await w.wb.accountsMenu().catch(() => []);
            await w.wb.closeMenus();
            return all.some((t) => /^Sign in with Agent Auth/.test(t)) && !all.some((t) => t.includes('(Agent Auth)'));
          },
          { timeoutMs: 10_000 },
        );
      });
      await step('no toast says "signed out"', async () => {
        const toasts = await w.wb.visibleNotifications();
        if (toasts.some((t) => /signed out/i.test(t))) throw new Error(`a toast: ${toasts.join(' | ')}`);
      });
      await step('IdP counted a revocation', () =>
        until("a POST to the IdP's revocation endpoint", async () => w.idp.stats.revocations > before, {
          timeoutMs: 10_000,
        }),
      );
    },
  };
}
