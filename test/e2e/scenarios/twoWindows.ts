import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestIdp } from '../../fixtures/idp.js';
import { PROVIDER_ID, PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario, Steps } from '../runner.js';
import type { Workbench } from '../workbench.js';
import { expiryInAriaLabel, until } from '../world.js';
import { expectCallbackPage, fillLogin, submitLogin } from './browser.js';

/**
 * Polls agent-auth-token in a terminal every few seconds and asks the IdP (RFC 7662) about each
 * answer; records the exit status, a sha256 prefix, `active` and `exp`, never the token (it stays
 * in a shell variable, and curl reads the request body from stdin).
 */
const POLL_SCRIPT = `#!/bin/bash
out="$1"; introspect="$2"; cid="$3"
while :; do
  t="$(agent-auth-token ${PROVIDER_ID} 2>>"$out.stderr")"; status=$?
  body="$(printf 'client_id=%s&token=%s' "$cid" "$t" | curl -s --data-binary @- "$introspect")"
  active="$(printf '%s' "$body" | grep -o '"active":[a-z]*' | cut -d: -f2)"
  exp="$(printf '%s' "$body" | grep -o '"exp":[0-9]*' | cut -d: -f2)"
  printf 'at=%s exit=%s sha=%s active=%s exp=%s\\n' "$(date +%s)" "$status" "$(printf '%s' "$t" | sha256sum | cut -c1-12)" "$active" "$exp" >> "$out"
  sleep 4
done
`;

interface Answer {
  at: number;
  exit: string;
  sha: string;
  active: string;
  exp: number;
}

function answers(file: string): Answer[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => Object.fromEntries(l.split(' ').map((kv) => kv.split(/=(.*)/s).slice(0, 2))))
    .map((o) => ({
      at: Number(o.at),
      exit: o.exit ?? '',
      sha: o.sha ?? '',
      active: o.active ?? '',
      exp: Number(o.exp),
    }));
}

/**
 * Seconds until the expiry window `wb` shows. The item's text shows minutes while the session
 * refreshes itself; its accessibility label has the expiry to the second.
 */
async function countdown(wb: Workbench): Promise<number | undefined> {
  const at = expiryInAriaLabel(await wb.statusAriaLabel(PROVIDER_LABEL).catch(() => ''));
  return at === undefined ? undefined : Math.round((at - Date.now()) / 1000);
}

export interface TwoWindows {
  a: Workbench;
  /** Opened by the scenario in the same browser context as `a`. */
  b?: Workbench;
  bUrl: string;
  idp: TestIdp;
  outDir: string;
  cycles: number;
}

/**
 * The start both two-window scenarios share: window A offers to sign in, window B opens as a
 * second tab of the same browser profile (`openB` names that step) and offers to sign in too, then
 * window A signs in at the IdP. Sets `x.b` as soon as window B is open (so it is closed even when
 * a later step fails) and returns it.
 */
async function openBothAndSignInA(step: Steps, x: TwoWindows, openB: string): Promise<Workbench> {
  await step(
    'window A offers to sign in',
    () => until('"Sign in" in window A', () => x.a.offersSignIn(), { timeoutMs: 45_000 }),
    { timeoutMs: 50_000 },
  );
  const b = await step(openB, () => x.a.openAnotherWindow(x.bUrl), { timeoutMs: 70_000 });
  x.b = b;
  await step(
    'window B offers to sign in',
    () => until('"Sign in" in window B', () => b.offersSignIn(), { timeoutMs: 45_000 }),
    { timeoutMs: 50_000, page: b.page },
  );
  const tab = await step(
    'window A signs in',
    async () => {
      await x.a.page.bringToFront();
      await x.a.runCommand('Agent Auth: Sign In');
      return x.a.confirmExternalOpen();
    },
    { page: x.a.page },
  );
  await step(
    'IdP login',
    async () => {
      await fillLogin(tab);
      await submitLogin(tab);
      await expectCallbackPage(tab);
    },
    { page: tab },
  );
  await tab.close();
  return b;
}

/**
 * §1 of issue 10: two windows of one browser profile (two tabs, two folders) on one code-server,
 * 30 s tokens with rotation, for at least `cycles` refreshes. A web window's SecretStorage lives
 * in its tab, so the second window depends on the handoff between windows.
 */
export function twoWebWindows(x: TwoWindows): Scenario {
  return {
    name: 'two-web-windows',
    async run(step) {
      const refreshes = () => x.idp.stats.grants.refresh_token ?? 0;
      x.b = await openBothAndSignInA(step, x, 'window B: a second tab of the same browser profile, another folder');
      for (const [name, wb] of [
        ['A', x.a],
        ['B', x.b],
      ] as const) {
        const secs = await step(
          `window ${name} counts down`,
          () =>
            until(`a countdown in window ${name}`, () => countdown(wb), {
              timeoutMs: 20_000,
              seen: async () => (await wb.statusTexts()).join(' | '),
            }),
          { page: wb.page },
        );
        step.note(`window ${name}: ${secs}s`);
      }
      const meta = (await (await fetch(`${x.idp.issuer}/.well-known/openid-configuration`)).json()) as {
        introspection_endpoint: string;
      };
      const script = join(x.outDir, 'poll-token.sh');
      writeFileSync(script, POLL_SCRIPT);
      const files = { A: join(x.outDir, 'answers-a.txt'), B: join(x.outDir, 'answers-b.txt') };
      for (const [name, wb] of [
        ['A', x.a],
        ['B', x.b],
      ] as const) {
        await step(
          `window ${name}: a terminal polls agent-auth-token`,
          async () => {
            rmSync(files[name], { force: true });
            await wb.page.bringToFront();
            await wb.runCommand('Terminal: Create New Terminal');
            const terminal = wb.page.locator('.terminal-wrapper.active .xterm');
            await terminal.waitFor({ timeout: 10_000 });
            // xterm draws on a canvas: the prompt cannot be awaited, so type again until the file appears.
            await until(
              `window ${name}'s terminal to start polling`,
              async () => {
                if (existsSync(files[name])) return true;
                await terminal.click();
                await wb.page.keyboard.type(
                  `bash '${script}' '${files[name]}' '${meta.introspection_endpoint}' '${x.idp.clientId}'\n`,
                );
                await new Promise((r) => setTimeout(r, 3_000));
                return existsSync(files[name]);
              },
              { timeoutMs: 25_000 },
            );
          },
          { page: wb.page },
        );
      }
      const start = refreshes();
      const cycleMs = 20_000;
      await step(
        `${x.cycles} refresh cycles of 30 s tokens`,
        () =>
          until(`${x.cycles} refresh_token grants at the IdP`, async () => refreshes() - start >= x.cycles, {
            timeoutMs: (x.cycles + 1) * cycleMs,
            seen: async () =>
              `${refreshes() - start} refreshes; A ${(await x.a.statusTexts()).join(' | ')}; B ${(await x.b!.statusTexts()).join(' | ')}`,
          }),
        { timeoutMs: (x.cycles + 1) * cycleMs + 5_000 },
      );
      // One more poll in each window after the last refresh.
      const settled = Math.floor(Date.now() / 1000);
      await step('both windows answered after the last refresh', () =>
        until(
          'an answer after the last refresh in both windows',
          async () => [files.A, files.B].every((f) => answers(f).some((a) => a.at > settled)),
          { timeoutMs: 15_000 },
        ),
      );
      await step('every helper answer in both windows is a live token at the IdP', async () => {
        for (const [name, f] of Object.entries(files)) {
          const all = answers(f);
          const bad = all.filter((a) => a.exit !== '0' || a.active !== 'true');
          const stderr = existsSync(`${f}.stderr`)
            ? readFileSync(`${f}.stderr`, 'utf8').trim().split('\n').slice(-3).join(' / ')
            : '';
          if (bad.length)
            throw new Error(
              `window ${name}: ${bad.length} of ${all.length} answers were refusals or dead tokens (${JSON.stringify(bad.slice(0, 3))}); stderr: ${stderr}`,
            );
          const tokens = new Set(all.map((a) => a.sha)).size;
          step.note(`window ${name}: ${all.length} answers, ${tokens} distinct tokens, all live`);
        }
      });
      await step('no refresh token was redeemed twice', async () => {
        const { stats } = x.idp;
        step.note(`${refreshes()} refresh_token grants in all`);
        if (stats.doubleRedemptions() || stats.grantsRevokedForReuse) {
          throw new Error(
            `${stats.doubleRedemptions()} refresh tokens redeemed twice, ${stats.grantsRevokedForReuse} grants revoked for reuse`,
          );
        }
      });
      for (const [name, wb] of [
        ['A', x.a],
        ['B', x.b],
      ] as const) {
        await step(
          `window ${name}'s countdown matches the token its helper hands out`,
          async () => {
            const f = files[name];
            const r = await until(
              `window ${name}'s countdown within 3 s of its newest helper answer's expiry`,
              async () => {
                const c = await countdown(wb);
                const last = answers(f).at(-1);
                if (c === undefined || !last?.exp) return false;
                const left = last.exp - Date.now() / 1000;
                return Math.abs(left - c) <= 3 && { c, left: Math.round(left) };
              },
              {
                timeoutMs: 15_000,
                seen: async () =>
                  `countdown ${await countdown(wb)}s; newest answer expires in ${Math.round((answers(f).at(-1)?.exp ?? 0) - Date.now() / 1000)} s`,
              },
            );
            step.note(`window ${name}: countdown ${r.c}s, token expires in ${r.left} s`);
          },
          { page: wb.page },
        );
      }
    },
  };
}

/**
 * Control for `two-web-windows`: the same two tabs with the handoff unable to start (its folder
 * is open to others, so every window refuses it, see PeerChannel). Shows that without it the
 * second window never learns of the sign-in: its SecretStorage lives in its own tab.
 */
export function twoWebWindowsWithoutHandoff(x: TwoWindows): Scenario {
  return {
    name: 'two-web-windows-without-handoff',
    async run(step) {
      const refreshes = () => x.idp.stats.grants.refresh_token ?? 0;
      x.b = await openBothAndSignInA(step, x, 'window B: a second tab of the same browser profile');
      const before = refreshes();
      await step(
        'window A refreshes once (half a token lifetime after the sign-in)',
        () => until('a refresh_token grant', async () => refreshes() > before, { timeoutMs: 40_000 }),
        { timeoutMs: 45_000 },
      );
      await step(
        'window B still has no session: nothing reached its SecretStorage',
        async () => {
          const texts = await x.b!.statusTexts();
          if (!(await x.b!.offersSignIn()))
            throw new Error(`window B shows ${texts.join(' | ')}: the session reached it without the handoff`);
          step.note(`window B: ${texts.filter((t) => /sign in/i.test(t)).join(' | ')}`);
        },
        { page: x.b.page },
      );
    },
  };
}
