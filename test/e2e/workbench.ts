import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { chromiumPath } from './paths.js';

/** Flags that keep Debian's Chromium quiet and off the network (see the real-vscode note). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The VS Code web workbench in a Playwright page, with the few gestures the scenarios need. */
export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /**
   * `proxy`: Chromium sends everything but 127.0.0.1 and localhost (the workbench, the loopback
   * redirect) through it. `ignoreHTTPSErrors`: the browser accepts any certificate (a private CA
   * is tested in the extension host, which has a trust store of its own).
   */
  static async open(url: string, o: { proxy?: string; ignoreHTTPSErrors?: boolean } = {}): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
      proxy: o.proxy ? { server: o.proxy, bypass: '127.0.0.1,localhost' } : undefined,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, ignoreHTTPSErrors: o.ignoreHTTPSErrors });
    // Playwright's 30 s default would outlast a step; a stuck click should fail with its own message.
    context.setDefaultTimeout(10_000);
    // vscode.env.clipboard in the web workbench is the browser's clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(browser, context, page);
  }

  /** Runs a command by its palette title, exactly as a user would type it after F1. */
  async runCommand(title: string): Promise<void> {
    await this.closeMenus();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    try {
      await row.first().waitFor({ timeout: 10_000 });
    } catch {
      const offered = await this.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      throw new Error(`the palette has no command "${title}"; it offers: ${offered.slice(0, 8).join(' | ') || 'nothing'}`);
    }
    await row.first().click();
  }

  /** Closes a leftover menu or palette; Escape only then: in a focused terminal it would reach the shell. */
  async closeMenus(): Promise<void> {
    if (await this.page.locator('.quick-input-widget, .monaco-menu').first().isVisible()) await this.page.keyboard.press('Escape');
  }

  async statusTexts(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notification-toast, .notifications-center .notification-list-item', { hasText: text });
  }

  /** A modal dialog's button (VS Code's own, not the browser's). */
  dialogButton(name: string): Locator {
    return this.page.locator('.monaco-dialog-box').getByRole('button', { name, exact: true });
  }

  /**
   * Confirms code-server's "open the external website?" dialog and returns the tab it opens. Call
   * before the command that opens the browser, then await the result.
   */
  async confirmExternalOpen(timeoutMs = 20_000): Promise<Page> {
    const [tab] = await Promise.all([
      this.context.waitForEvent('page', { timeout: timeoutMs }),
      this.dialogButton('Open').click({ timeout: timeoutMs }),
    ]);
    await tab.waitForLoadState('domcontentloaded');
    return tab;
  }

  /**
   * Replaces User settings.json through VS Code's own editor, as a person would, and waits until
   * `file` (its path on disk) holds exactly `settings`. code-server does not notice edits made to
   * the file behind its back (openvscode-server issue 294), so settings that change mid-run must go
   * this way. Pasting keeps the editor's auto-closing of brackets and quotes out of it.
   */
  async replaceUserSettings(settings: object, file: string): Promise<void> {
    await this.runCommand('Preferences: Open User Settings (JSON)');
    // Select all only once the file's text is in the editor, or the selection misses it.
    const text = this.page.locator('.editor-instance .monaco-editor .view-lines');
    await text.filter({ hasText: '{' }).waitFor();
    await text.click();
    await this.page.evaluate((json) => navigator.clipboard.writeText(json), JSON.stringify(settings, null, 2));
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+V');
    await this.page.keyboard.press('Control+S');
    const wanted = JSON.stringify(settings);
    const deadline = Date.now() + 10_000;
    const saved = () => {
      try {
        return JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        return undefined; // mid-write
      }
    };
    while (saved() !== wanted) {
      if (Date.now() > deadline) throw new Error(`${file} did not take the new settings; it holds ${readFileSync(file, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.runCommand('View: Close Editor');
  }

  async readClipboard(): Promise<string> {
    await this.page.bringToFront();
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
