import { existsSync, readFileSync } from 'node:fs';
import { PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import type { World } from '../world.js';
import { expiryInAriaLabel, until } from '../world.js';
import { waitForCountdown } from './browser.js';

const refreshes = (w: World) => w.idp.stats.grants.refresh_token ?? 0;

/**
 * (b) A session that refreshes itself: the item stays neutral (read from the real status bar's
 * computed colour) the whole time, a proactive refresh happens without the user doing anything,
 * and the expiry in the item's accessibility label moves later.
 */
export function countdownAndRefresh(w: World, accessTokenTtl: number): Scenario {
  return {
    name: 'countdown-and-proactive-refresh',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const expiry = async () => expiryInAriaLabel(await w.wb.statusAriaLabel(PROVIDER_LABEL));
      const first = await step('status bar shows the expiry, calmly', async () => {
        const shown = await waitForCountdown(w);
        const colour = await w.wb.statusColour(PROVIDER_LABEL);
        if (colour.kind !== 'neutral')
          throw new Error(`the item is painted ${colour.kind} (${colour.css}) although the session refreshes itself`);
        const at = await until('an accessibility label "… valid until HH:MM:SS, refreshed automatically"', expiry, {
          timeoutMs: 5_000,
          seen: () => w.wb.statusAriaLabel(PROVIDER_LABEL),
        });
        step.note(`"${PROVIDER_LABEL} ${shown}", ${colour.css}, expires ${new Date(at).toTimeString().slice(0, 8)}`);
        return at;
      });
      const before = refreshes(w);
      const colours = new Set<string>();
      await step(
        'IdP sees a proactive refresh_token grant; the item never turns yellow',
        async () => {
          // A colour that cannot be read is no colour seen: it fails the step (until() would swallow the throw).
          let unreadable: Error | undefined;
          await until(
            `a refresh_token grant at the IdP within ${accessTokenTtl} s (the token lives ${accessTokenTtl} s)`,
            async () => {
              try {
                colours.add((await w.wb.statusColour(PROVIDER_LABEL)).kind);
              } catch (e) {
                unreadable = e as Error;
                return true;
              }
              return refreshes(w) > before;
            },
            {
              timeoutMs: accessTokenTtl * 1000,
              seen: async () =>
                `${refreshes(w) - before} refreshes; status bar ${(await w.wb.statusTexts()).join(' | ')}`,
            },
          );
          if (unreadable) throw new Error(`the item's colour could not be read: ${unreadable.message}`);
          if ([...colours].some((c) => c !== 'neutral'))
            throw new Error(`the item was painted ${[...colours].join(', ')} before the refresh`);
        },
        { timeoutMs: accessTokenTtl * 1000 + 5_000 },
      );
      await step('the expiry moves later after the refresh', async () => {
        const later = await until(
          `an expiry later than ${new Date(first).toTimeString().slice(0, 8)}`,
          async () => {
            const at = await expiry();
            return at !== undefined && at > first && at;
          },
          { timeoutMs: 5_000, seen: () => w.wb.statusAriaLabel(PROVIDER_LABEL) },
        );
        step.note(
          `expiry ${new Date(first).toTimeString().slice(0, 8)} → ${new Date(later).toTimeString().slice(0, 8)}; colours seen: ${[...colours].join(', ')}`,
        );
      });
      await step('clicking the countdown opens the status view', async () => {
        await w.wb.closeMenus();
        await w.wb.page.locator('.part.statusbar .statusbar-item', { hasText: PROVIDER_LABEL }).first().click();
        const rows = w.wb.page.locator('.quick-input-widget .monaco-list-row');
        const texts = await until(
          'a status view listing Refresh Now, Copy Access Token and Sign Out',
          async () => {
            const t = (await rows.allInnerTexts()).join(' | ');
            return ['Refresh Now', 'Copy Access Token', 'Sign Out', 'token valid for'].every((x) => t.includes(x)) && t;
          },
          { timeoutMs: 10_000, seen: async () => (await rows.allInnerTexts()).join(' | ') || 'no quick pick' },
        );
        step.note(`status view: ${texts.replace(/\s+/g, ' ').slice(0, 120)}`);
        await w.wb.readmeShot('status-view', w.wb.page.locator('.quick-input-widget'));
      });
      await step('status view closes', () => w.wb.page.keyboard.press('Escape'));
      await step('agent language server got the token at start and the refreshed one', async () => {
        // The installed extension's agent (dist/agentClient.js, loaded because an agent is configured).
        const seen = () =>
          existsSync(w.agentRecord)
            ? readFileSync(w.agentRecord, 'utf8')
                .trim()
                .split('\n')
                .filter(Boolean)
                .map((l) => JSON.parse(l))
            : [];
        const r = await until(
          'a start with the token in the environment, the same token in initialize, then a didChangeToken "refreshed" with another',
          async () => {
            const all = seen();
            const start = all.find((e) => e.event === 'start');
            const init = all.find((e) => e.event === 'initialize');
            const pushed = all.find((e) => e.event === 'didChangeToken' && e.reason === 'refreshed');
            return (
              start?.envToken &&
              init?.token === start.envToken &&
              pushed?.token &&
              pushed.token !== init.token && { init, pushed }
            );
          },
          {
            timeoutMs: 10_000,
            seen: async () =>
              seen()
                .map((e) => `${e.event}${e.reason ? `(${e.reason})` : ''}`)
                .join(', ') || 'nothing recorded',
          },
        );
        step.note(`agent started with ${r.init.token}, was pushed ${r.pushed.token}`);
      });
      await step('no refresh token was redeemed twice', async () => {
        const { stats } = w.idp;
        if (stats.doubleRedemptions() || stats.grantsRevokedForReuse) {
          throw new Error(
            `${stats.doubleRedemptions()} refresh tokens redeemed twice, ${stats.grantsRevokedForReuse} grants revoked for reuse`,
          );
        }
      });
    },
  };
}

/**
 * "Agent Auth: Refresh Now" refreshes without a toast: the status bar says it. The IdP redeeming
 * one more refresh token and a later expiry on the status item prove the token changed. A toast
 * from the command would be sent by the extension host as the refresh finishes; a command run
 * after the status item changed, whose own notification is then awaited, fences it: by the time
 * that notification is shown, any toast from Refresh Now would be shown too.
 */
export function refreshNowWithoutToast(w: World): Scenario {
  return {
    name: 'refresh-now-no-toast',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const expiry = async () => expiryInAriaLabel(await w.wb.statusAriaLabel(PROVIDER_LABEL));
      await step('no notifications to begin with', async () => {
        await w.wb.runCommand('Notifications: Clear All Notifications');
        await until('no notification toasts', async () => (await w.wb.visibleNotifications()).length === 0, {
          timeoutMs: 5_000,
        });
      });
      const first = await step('the status item shows an expiry', () =>
        until('an expiry in the status item', expiry, {
          timeoutMs: 10_000,
          seen: () => w.wb.statusAriaLabel(PROVIDER_LABEL),
        }),
      );
      const before = refreshes(w);
      await step('Agent Auth: Refresh Now', () => w.wb.runCommand('Agent Auth: Refresh Now'));
      await step('the IdP redeems a refresh token and the status item shows a later expiry', async () => {
        await until('one more refresh_token grant at the IdP', async () => refreshes(w) > before, {
          timeoutMs: 15_000,
          seen: async () =>
            `${refreshes(w) - before} refreshes; notifications: ${(await w.wb.visibleNotifications()).join(' | ') || 'none'}`,
        });
        const later = await until(
          `an expiry later than ${new Date(first).toTimeString().slice(0, 8)}`,
          async () => {
            const at = await expiry();
            return at !== undefined && at > first && at;
          },
          { timeoutMs: 10_000, seen: () => w.wb.statusAriaLabel(PROVIDER_LABEL) },
        );
        step.note(
          `${refreshes(w) - before} refresh_token grant; expiry ${new Date(first).toTimeString().slice(0, 8)} → ${new Date(later).toTimeString().slice(0, 8)}`,
        );
      });
      await step('no toast: the only notification is the one of a command run afterwards', async () => {
        const marker = 'there are no unreadable session entries';
        await w.wb.runCommand('Agent Auth: Delete Unreadable Session Entries');
        const shown = await until(
          `the later command's notification "${marker}"`,
          async () => {
            const n = await w.wb.visibleNotifications();
            return n.some((t) => t.includes(marker)) && n;
          },
          { timeoutMs: 10_000, seen: async () => (await w.wb.visibleNotifications()).join(' | ') || 'none' },
        );
        const others = shown.filter((t) => !t.includes(marker));
        if (others.length) throw new Error(`Refresh Now left ${others.length} notification(s): ${others.join(' | ')}`);
        step.note(`notifications: ${shown.join(' | ')}`);
      });
      await step('clear the notifications', () => w.wb.runCommand('Notifications: Clear All Notifications'));
    },
  };
}
