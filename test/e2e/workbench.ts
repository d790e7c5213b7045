import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { chromiumPath, readmeShotsDir } from './paths.js';

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
    const context = await browser.newContext({
      viewport: { width: 1400, height: 860 },
      ignoreHTTPSErrors: o.ignoreHTTPSErrors,
    });
    // Playwright's 30 s default would outlast a step; a stuck click should fail with its own message.
    context.setDefaultTimeout(10_000);
    // vscode.env.clipboard in the web workbench is the browser's clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(browser, context, page);
  }

  /**
   * Another window of the same browser profile (a second tab of this context, as a user opens a
   * second folder): same origin, so the same browser storage, but its own extension host.
   */
  async openAnotherWindow(url: string): Promise<Workbench> {
    const page = await this.context.newPage();
    await page.goto(url);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(this.browser, this.context, page);
  }

  /** Runs a command by its palette title, exactly as a user would type it after F1. */
  async runCommand(title: string): Promise<void> {
    await this.closeMenus();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    try {
      await input.waitFor();
    } catch (e) {
      // A modal dialog (VS Code 1.139's terminal trust prompt, say) keeps the palette from opening: name it.
      const dialogs = await this.page.locator('.monaco-dialog-box').allInnerTexts();
      if (dialogs.length)
        throw new Error(
          `the palette did not open for "${title}": a dialog is open: ${dialogs.map((d) => d.replace(/\s+/g, ' ').trim()).join(' | ')}`,
          { cause: e },
        );
      throw e;
    }
    // The palette's filter does not match a title's trailing "…" (as in "Add Provider…").
    await input.fill(`>${title.replace(/…$/, '')}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    try {
      await row.first().waitFor({ timeout: 10_000 });
    } catch {
      const offered = await this.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      throw new Error(
        `the palette has no command "${title}"; it offers: ${offered.slice(0, 8).join(' | ') || 'nothing'}`,
      );
    }
    await row.first().click();
  }

  /** Closes a leftover menu or palette; Escape only then: in a focused terminal it would reach the shell. */
  async closeMenus(): Promise<void> {
    if (await this.page.locator('.quick-input-widget, .monaco-menu').first().isVisible())
      await this.page.keyboard.press('Escape');
  }

  async statusTexts(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts())
      .map((t) => t.trim())
      .filter(Boolean);
  }

  /** Whether Agent Auth's item offers a sign-in: "<provider>: Sign in", "+N" with several providers. */
  async offersSignIn(): Promise<boolean> {
    return (await this.statusTexts()).some((t) => /: Sign in( \+\d+)?$/.test(t));
  }

  /**
   * A picture for the README: a Playwright screenshot of exactly `what` (an element, or several
   * whose bounding box is taken), written to artifacts/readme-screenshots/<name>.png.
   */
  async readmeShot(name: string, ...what: Locator[]): Promise<string> {
    mkdirSync(readmeShotsDir, { recursive: true });
    const path = join(readmeShotsDir, `${name}.png`);
    if (what.length === 1) {
      await what[0].screenshot({ path });
      return path;
    }
    const boxes = (await Promise.all(what.map((l) => l.boundingBox()))).filter((b) => b !== null);
    if (!boxes.length) throw new Error(`nothing to photograph for ${name}`);
    const pad = 8;
    const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
    const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
    const right = Math.max(...boxes.map((b) => b.x + b.width)) + pad;
    const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + pad;
    await this.page.screenshot({ path, clip: { x, y, width: right - x, height: bottom - y } });
    return path;
  }

  /** The status bar entry whose text contains `text`. */
  statusItem(text: string): Locator {
    return this.page.locator('.part.statusbar .statusbar-item', { hasText: text }).first();
  }

  /**
   * The colour the workbench paints behind a status bar entry, named by comparing its computed
   * background with the theme's own status bar warning and error colours.
   */
  async statusColour(text: string): Promise<{ kind: 'neutral' | 'warning' | 'error'; css: string }> {
    // No named functions inside: the test runner's transpiler would wrap them in a helper (__name) the page lacks.
    return this.statusItem(text).evaluate((item) => {
      const resolved = ['--vscode-statusBarItem-errorBackground', '--vscode-statusBarItem-warningBackground'].map(
        (cssVar) => {
          const probe = document.createElement('div');
          probe.style.backgroundColor = `var(${cssVar})`;
          // The theme's variables are defined on the workbench element, not on <body>.
          (item.closest('.monaco-workbench') ?? document.body).appendChild(probe);
          const c = getComputedStyle(probe).backgroundColor;
          probe.remove();
          return c;
        },
      );
      const css =
        [item, ...Array.from(item.querySelectorAll('*'))]
          .map((e) => getComputedStyle(e).backgroundColor)
          .find((c) => c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)') ?? 'transparent';
      const kind: 'neutral' | 'warning' | 'error' =
        css === resolved[0] ? 'error' : css === resolved[1] ? 'warning' : 'neutral';
      return { kind, css };
    });
  }

  /** The entry's accessibility label (what a screen reader says; Agent Auth puts the expiry time there). */
  async statusAriaLabel(text: string): Promise<string> {
    return this.statusItem(text).evaluate(
      (item) => item.getAttribute('aria-label') ?? item.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '',
    );
  }

  /** Opens the Accounts menu and returns its entries' texts (the menu stays open; closeMenus closes it). */
  async accountsMenu(): Promise<string[]> {
    await this.closeMenus();
    await this.page
      .locator('.activitybar')
      .getByRole('button', { name: /^Accounts/ })
      .click();
    const items = this.page.locator('.monaco-menu .action-label');
    await items.first().waitFor();
    return (await items.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }

  /** Toasts on screen and entries in the notification center (what a user would count). */
  async visibleNotifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).map((t) =>
      t.trim(),
    );
  }

  /**
   * The notifications bell's icon: "bell" when the center holds nothing new and nothing in
   * progress, "bell-dot" otherwise (VS Code's NotificationsStatus).
   */
  async notificationBell(): Promise<string> {
    const icon = this.page.locator('.part.statusbar [id="status.notifications"] .codicon').first();
    const classes = (await icon.getAttribute('class')) ?? '';
    return /codicon-(bell[\w-]*)/.exec(classes)?.[1] ?? `unknown (${classes})`;
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
    // Select all only once the file's text is in the editor, or the selection misses it. Any JSON
    // punctuation will do: an editor left open and scrolled down shows only closing brackets.
    const text = this.page.locator('.editor-instance .monaco-editor .view-lines');
    await text.filter({ hasText: /[{}[\]"]/ }).waitFor();
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
      if (Date.now() > deadline)
        throw new Error(`${file} did not take the new settings; it holds ${readFileSync(file, 'utf8')}`);
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
