import { existsSync, readFileSync } from 'node:fs';
import { PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import type { World } from '../world.js';
import { until } from '../world.js';
import { waitForCountdown } from './browser.js';

const refreshes = (w: World) => w.idp.stats.grants.refresh_token ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** (b) The countdown ticks down, and a proactive refresh restarts it without the user doing anything. */
export function countdownAndRefresh(w: World, accessTokenTtl: number): Scenario {
  return {
    name: 'countdown-and-proactive-refresh',
    needs: ['auth-code-sign-in'],
    async run(step) {
      await step('countdown decreases', async () => {
        // A refresh between the two readings would raise the countdown; read again then.
        for (let attempt = 1; ; attempt++) {
          const seen = refreshes(w);
          const a = await waitForCountdown(w);
          await sleep(3_000);
          const b = await waitForCountdown(w);
          if (refreshes(w) !== seen && attempt < 3) continue;
          if (!(b < a)) throw new Error(`the countdown went from ${a}s to ${b}s in 3 s`);
          step.note(`countdown ${a}s → ${b}s in 3 s`);
          return;
        }
      });
      const before = refreshes(w);
      let lowest = Infinity;
      await step('IdP sees a proactive refresh_token grant', async () => {
        await until(
          `a refresh_token grant at the IdP within ${accessTokenTtl} s (the token lives ${accessTokenTtl} s)`,
          async () => {
            lowest = Math.min(lowest, await waitForCountdown(w, 1_000).catch(() => Infinity));
            return refreshes(w) > before;
          },
          { timeoutMs: accessTokenTtl * 1000, seen: async () => `${refreshes(w) - before} refreshes; status bar ${(await w.wb.statusTexts()).join(' | ')}` },
        );
      }, { timeoutMs: accessTokenTtl * 1000 + 5_000 });
      await step('countdown restarts after the refresh', async () => {
        const restarted = await until(
          `the countdown to climb above its lowest reading before the refresh (${lowest}s)`,
          async () => {
            const s = await waitForCountdown(w, 1_000);
            return s > lowest && s;
          },
          { timeoutMs: 5_000, seen: async () => (await w.wb.statusTexts()).join(' | ') },
        );
        step.note(`countdown ${lowest}s before the refresh, ${restarted}s after`);
      });
      await step('clicking the countdown opens the status view', async () => {
        await w.wb.closeMenus();
        await w.wb.page.locator('.part.statusbar .statusbar-item', { hasText: PROVIDER_LABEL }).first().click();
        const rows = w.wb.page.locator('.quick-input-widget .monaco-list-row');
        const texts = await until('a status view listing Refresh Now, Copy Access Token and Sign Out', async () => {
          const t = (await rows.allInnerTexts()).join(' | ');
          return ['Refresh Now', 'Copy Access Token', 'Sign Out', 'token valid for'].every((x) => t.includes(x)) && t;
        }, { timeoutMs: 10_000, seen: async () => (await rows.allInnerTexts()).join(' | ') || 'no quick pick' });
        step.note(`status view: ${texts.replace(/\s+/g, ' ').slice(0, 120)}`);
      });
      await step('status view closes', () => w.wb.page.keyboard.press('Escape'));
      await step('agent language server got the token at start and the refreshed one', async () => {
        // The installed extension's agent (dist/agentClient.js, loaded because an agent is configured).
        const seen = () => (existsSync(w.agentRecord) ? readFileSync(w.agentRecord, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
        const r = await until(
          'a start with the token in the environment, the same token in initialize, then a didChangeToken "refreshed" with another',
          async () => {
            const all = seen();
            const start = all.find((e) => e.event === 'start');
            const init = all.find((e) => e.event === 'initialize');
            const pushed = all.find((e) => e.event === 'didChangeToken' && e.reason === 'refreshed');
            return start?.envToken && init?.token === start.envToken && pushed?.token && pushed.token !== init.token && { init, pushed };
          },
          { timeoutMs: 10_000, seen: async () => seen().map((e) => `${e.event}${e.reason ? `(${e.reason})` : ''}`).join(', ') || 'nothing recorded' },
        );
        step.note(`agent started with ${r.init.token}, was pushed ${r.pushed.token}`);
      });
      await step('no refresh token was redeemed twice', async () => {
        const { stats } = w.idp;
        if (stats.doubleRedemptions() || stats.grantsRevokedForReuse) {
          throw new Error(`${stats.doubleRedemptions()} refresh tokens redeemed twice, ${stats.grantsRevokedForReuse} grants revoked for reuse`);
        }
      });
    },
  };
}
