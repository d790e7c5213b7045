import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PROVIDER_ID, PROVIDER_LABEL } from '../providerSettings.js';
import type { Scenario } from '../runner.js';
import { StepEnded, until, type World } from '../world.js';
import { expectCallbackPage, submitLogin, USER } from './browser.js';

/** The second account: any user name works at the test IdP. */
export const OTHER_USER = 'e2e-other';

/**
 * Runs in a VS Code terminal: for each account reference, `agent-auth-token --provider <ref>` and
 * the `sub` the IdP's userinfo endpoint answers to that token, plus a sha256 prefix of the token
 * (never the token: it stays in a shell variable and reaches curl through stdin).
 */
const ACCOUNTS_SCRIPT = `#!/bin/bash
out="$1"; userinfo="$2"; shift 2
for ref in "$@"; do
  t="$(agent-auth-token --provider "$ref" 2>>"$out.stderr")"; status=$?
  sub="$(printf 'Authorization: Bearer %s\\n' "$t" | curl -s -H @- "$userinfo" | sed -n 's/.*"sub":"\\([^"]*\\)".*/\\1/p')"
  printf '%s exit=%s sha=%s sub=%s\\n' "$ref" "$status" "$(printf '%s' "$t" | sha256sum | cut -c1-12)" "$sub"
done > "$out.part" && mv "$out.part" "$out"
`;

interface Seen {
  exit: string;
  sha: string;
  sub: string;
}

async function tokensInTerminal(
  w: Pick<World, 'wb' | 'outDir'>,
  name: string,
  userinfo: string,
  refs: string[],
): Promise<Record<string, Seen>> {
  const script = join(w.outDir, 'accounts.sh');
  writeFileSync(script, ACCOUNTS_SCRIPT);
  const out = join(w.outDir, name);
  rmSync(out, { force: true });
  const terminal = w.wb.page.locator('.terminal-wrapper.active .xterm');
  await terminal.waitFor({ timeout: 10_000 });
  for (let attempt = 1; ; attempt++) {
    await terminal.click();
    await w.wb.page.keyboard.type(`bash '${script}' '${out}' '${userinfo}' ${refs.join(' ')}\n`);
    try {
      await until(`the terminal to write ${out}`, async () => existsSync(out), { timeoutMs: 10_000 });
      break;
    } catch (e) {
      // Keys typed before the shell was ready are lost (xterm draws on a canvas: no prompt to await).
      if (attempt === 3 || e instanceof StepEnded) throw e;
    }
  }
  const seen: Record<string, Seen> = {};
  for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
    const [ref, ...fields] = line.split(' ');
    seen[ref] = Object.fromEntries(fields.map((f) => f.split(/=(.*)/s).slice(0, 2)));
  }
  return seen;
}

/** The status view's rows (the quick pick the status bar item opens). */
async function statusView(w: Pick<World, 'wb'>, wanted: string[]): Promise<string[]> {
  await w.wb.closeMenus();
  await w.wb.page.locator('.part.statusbar .statusbar-item', { hasText: PROVIDER_LABEL }).first().click();
  const rows = w.wb.page.locator('.quick-input-widget .monaco-list-row');
  return until(
    `a status view listing ${wanted.join(', ')}`,
    async () => {
      const t = await rows.allInnerTexts();
      return wanted.every((x) => t.some((r) => r.includes(x))) && t;
    },
    { timeoutMs: 10_000, seen: async () => (await rows.allInnerTexts()).join(' | ') || 'no quick pick' },
  );
}

async function pickRow(w: Pick<World, 'wb'>, text: string): Promise<void> {
  await w.wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first().click();
}

async function signInAs(tab: Page, user: string): Promise<void> {
  // prompt=select_account: the IdP shows its login page although this browser is signed in as USER.
  await until(
    'the IdP login page (its account picker)',
    async () =>
      (await tab
        .locator('main[data-page]')
        .getAttribute('data-page', { timeout: 1_000 })
        .catch(() => null)) === 'login',
    {
      seen: async () =>
        `${tab.url()}: ${(
          await tab
            .locator('body')
            .innerText()
            .catch(() => '')
        ).slice(0, 200)}`,
    },
  );
  await tab.locator('input[name="login"]').fill(user);
  await submitLogin(tab);
}

/** Two accounts of one provider side by side: the Accounts menu, the status view and the helper in a terminal. */
export function twoAccounts(w: World): Scenario {
  return {
    name: 'two-accounts',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const userinfo = await step('IdP publishes a userinfo endpoint', async () => {
        const meta = (await (await fetch(`${w.idp.issuer}/.well-known/openid-configuration`)).json()) as {
          userinfo_endpoint: string;
        };
        return meta.userinfo_endpoint;
      });
      const tab = await step('status view "Sign In with Another Account…" asks to open the IdP', async () => {
        await statusView(w, ['Sign In with Another Account']);
        await pickRow(w, 'Sign In with Another Account');
        return w.wb.confirmExternalOpen();
      });
      // This browser is still signed in at the IdP as USER: without prompt=select_account the IdP
      // would send it straight back as USER (and Agent Auth would keep the one account).
      await step(
        `the IdP shows its account picker although the browser is signed in; sign in as ${OTHER_USER}`,
        () => signInAs(tab, OTHER_USER),
        { page: tab },
      );
      await step('loopback callback page', () => expectCallbackPage(tab), { page: tab });
      await tab.close();
      await step('Accounts menu lists both accounts', async () => {
        const entries = await until(
          `Accounts menu entries for ${USER} and ${OTHER_USER}`,
          async () => {
            const all = await w.wb.accountsMenu().catch(() => []);
            return [USER, OTHER_USER].every((u) => all.some((t) => t.includes(u) && t.includes('(Agent Auth)'))) && all;
          },
          {
            timeoutMs: 15_000,
            seen: async () => `menu: ${(await w.wb.accountsMenu().catch(() => [])).join(' | ') || 'nothing'}`,
          },
        );
        step.note(`Accounts menu: ${entries.filter((t) => t.includes('Agent Auth')).join(' | ')}`);
        await w.wb.closeMenus();
      });
      const refs = [`${PROVIDER_ID}@${USER}`, `${PROVIDER_ID}@${OTHER_USER.toUpperCase()}`, PROVIDER_ID];
      const seen = await step(
        'a terminal gets each account’s token with agent-auth-token --provider dev@<account>',
        async () => {
          await w.wb.runCommand('Terminal: Create New Terminal');
          return tokensInTerminal(w, 'accounts-1.txt', userinfo, refs);
        },
      );
      await step('each reference gives its own account’s token; "dev" is the first (default) account', async () => {
        const [mine, other, bare] = refs.map((r) => seen[r]);
        const err = existsSync(join(w.outDir, 'accounts-1.txt.stderr'))
          ? readFileSync(join(w.outDir, 'accounts-1.txt.stderr'), 'utf8').trim()
          : '';
        if (!mine || !other || !bare || [mine, other, bare].some((s) => s.exit !== '0'))
          throw new Error(`agent-auth-token failed: ${JSON.stringify(seen)} ${err}`);
        if (mine.sub !== USER || other.sub !== OTHER_USER)
          throw new Error(`the IdP says the tokens belong to ${mine.sub} and ${other.sub}`);
        if (mine.sha === other.sha) throw new Error('both accounts got the same token');
        if (bare.sub !== USER)
          throw new Error(`"${PROVIDER_ID}" gave ${bare.sub}'s token, expected the default account ${USER}`);
        step.note(refs.map((r) => `${r}: ${seen[r].sub} (sha256 ${seen[r].sha}…)`).join('; '));
      });
      await step(`status view: both accounts; make ${OTHER_USER} the default`, async () => {
        const rows = await statusView(w, [
          `${USER} (default)`,
          OTHER_USER,
          `Make ${OTHER_USER} the Default Account`,
          'Sign In with Another Account',
        ]);
        step.note(`status view: ${rows.join(' | ').replace(/\s+/g, ' ').slice(0, 200)}`);
        await pickRow(w, `Make ${OTHER_USER} the Default Account`);
      });
      await step(`"${PROVIDER_ID}" now gives ${OTHER_USER}'s token`, async () => {
        await until(
          'the status view to mark the new default',
          async () => {
            const rows = await statusView(w, [`${OTHER_USER} (default)`]).catch(() => undefined);
            await w.wb.closeMenus();
            return !!rows;
          },
          { timeoutMs: 10_000 },
        );
        const after = await tokensInTerminal(w, 'accounts-2.txt', userinfo, [PROVIDER_ID]);
        if (after[PROVIDER_ID]?.sub !== OTHER_USER)
          throw new Error(`"${PROVIDER_ID}" gave ${after[PROVIDER_ID]?.sub}'s token`);
      });
      await step(`sign out of ${OTHER_USER} only: ${USER} stays, and is the default again`, async () => {
        await statusView(w, [`Sign Out of ${OTHER_USER}`]);
        await pickRow(w, `Sign Out of ${OTHER_USER}`);
        await until(
          `the Accounts menu without ${OTHER_USER}`,
          async () => {
            const all = await w.wb.accountsMenu().catch(() => []);
            await w.wb.closeMenus();
            return all.some((t) => t.includes(USER)) && !all.some((t) => t.includes(OTHER_USER));
          },
          { timeoutMs: 15_000 },
        );
        const left = await tokensInTerminal(w, 'accounts-3.txt', userinfo, [
          PROVIDER_ID,
          `${PROVIDER_ID}@${OTHER_USER}`,
        ]);
        if (left[PROVIDER_ID]?.sub !== USER)
          throw new Error(`"${PROVIDER_ID}" gave ${left[PROVIDER_ID]?.sub}'s token, expected ${USER}`);
        if (left[`${PROVIDER_ID}@${OTHER_USER}`]?.exit === '0')
          throw new Error(`${OTHER_USER} still gets a token after signing out`);
        const err = readFileSync(join(w.outDir, 'accounts-3.txt.stderr'), 'utf8');
        if (!err.includes(`no account "${OTHER_USER}"`) || !err.includes(USER))
          throw new Error(`the helper's error does not name the accounts there are: ${err.trim()}`);
        step.note(`unknown account: ${err.trim().split('\n').at(-1)}`);
      });
    },
  };
}
