import { readFileSync } from 'node:fs';
import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';

const CLIENT_ID = 'agent-auth-added-e2e';

/**
 * (g) "Agent Auth: Add Provider…" as a person uses it: the palette, the URL box, the dialog with
 * what the IdP supports, the client id box, the dialog with what to register; the entry lands in
 * the user settings file, which it then puts back (the entry is a second provider).
 */
export function addProviderScenario(w: World): Scenario {
  const input = () => w.wb.page.locator('.quick-input-widget input.input');
  const dialog = (text: string | RegExp) => w.wb.page.locator('.monaco-dialog-box', { hasText: text });
  const entries = () => {
    try {
      return (JSON.parse(readFileSync(w.settingsFile, 'utf8'))['agentAuth.providers'] ?? []) as {
        clientId?: string;
        issuer?: string;
        id: string;
      }[];
    } catch {
      return []; // mid-write
    }
  };
  return {
    name: 'add-provider',
    // The host tests change the user settings too; they must be done first.
    needs: ['host-tests'],
    async run(step) {
      await step('palette Add Provider asks for a URL', async () => {
        await w.wb.runCommand('Agent Auth: Add Provider…');
        await until('the URL input box', async () =>
          (await w.wb.page.locator('.quick-input-widget').innerText()).includes('issuer URL'),
        );
      });
      await step('the IdP URL is looked up', async () => {
        await input().fill(w.idp.issuer);
        await input().press('Enter');
        await dialog('supports everything Agent Auth needs').waitFor({ timeout: 20_000 });
      });
      const support = await step('the dialog shows what the IdP supports', async () => {
        const text = await dialog('supports everything').innerText();
        for (const line of ['✓ Browser sign-in', '✓ Refresh tokens', '✓ Device code sign-in', '✓ Token revocation']) {
          if (!text.includes(line)) throw new Error(`the dialog lacks "${line}": ${text}`);
        }
        return text;
      });
      step.note(support.replace(/\s+/g, ' ').slice(0, 200));
      await step('Continue asks for the client id', async () => {
        await w.wb.dialogButton('Continue').click();
        await until('the client id input box', async () =>
          (await w.wb.page.locator('.quick-input-widget').innerText()).includes('client id'),
        );
      });
      await step('the client id is entered; the registration steps are shown', async () => {
        await input().fill(CLIENT_ID);
        await input().press('Enter');
        const added = dialog('Register this at your identity provider');
        await added.waitFor({ timeout: 10_000 });
        const text = await added.innerText();
        for (const line of [
          'Client type: public',
          'Redirect URI: http://127.0.0.1/callback',
          'Grant types: authorization_code with PKCE (S256), refresh_token',
        ]) {
          if (!text.includes(line)) throw new Error(`the dialog lacks "${line}": ${text}`);
        }
      });
      await step('Copy Steps puts them on the clipboard', async () => {
        await w.wb.dialogButton('Copy Steps').click();
        await until('the steps on the clipboard', async () =>
          (await w.wb.readClipboard()).includes(`Client id: ${CLIENT_ID}.`),
        );
      });
      await step('the user settings file holds the new entry', () =>
        until(
          `an agentAuth.providers entry with clientId ${CLIENT_ID} in ${w.settingsFile}`,
          async () => entries().some((e) => e.clientId === CLIENT_ID && e.issuer === w.idp.issuer),
          {
            seen: async () => JSON.stringify(entries()),
          },
        ),
      );
      await step('settings put back for what follows', () => w.restoreSettings());
    },
  };
}
