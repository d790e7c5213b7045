import { PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';

/** (d) Sign Out revokes at the IdP and the status bar stops naming the provider. */
export function signOut(w: Pick<World, 'wb' | 'idp'>): Scenario {
  return {
    name: 'sign-out',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const before = w.idp.stats.revocations;
      await step('palette Sign Out', () => w.wb.runCommand('Agent Auth: Sign Out'));
      await step('status bar no longer shows the provider', () =>
        until(`no status bar item naming "${PROVIDER_LABEL}"`, async () => !(await w.wb.statusTexts()).some((t) => t.includes(PROVIDER_LABEL)), {
          timeoutMs: 10_000,
          seen: async () => `status bar: ${(await w.wb.statusTexts()).join(' | ')}`,
        }));
      await step('IdP counted a revocation', () =>
        until('a POST to the IdP\'s revocation endpoint', async () => w.idp.stats.revocations > before, { timeoutMs: 10_000 }));
    },
  };
}
