import vscode = require('vscode');
import { l10n } from 'vscode';
import type { ConfigProblem } from '../session/config/config.js';

/** How long problems found by one settings change are gathered into one notification. */
const GATHER_MS = 100;

export type ShowProblems = (message: string) => void;

/** The warning with "Open Settings" (settings.json, where every agentAuth entry is). */
export const showProblemsNotification: ShowProblems = (message) => {
  const open = l10n.t('Open Settings');
  void vscode.window
    .showWarningMessage(message, open)
    .then((a) => a === open && vscode.commands.executeCommand('workbench.action.openSettingsJson'));
};

/**
 * Every problem in agentAuth.* settings (providers, refresh, agents): each is logged once, and
 * the new ones found by one activation or settings change share one notification with
 * "Open Settings" instead of one toast each.
 */
export class SettingsProblems implements vscode.Disposable {
  private readonly reported = new Set<string>();
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly show: ShowProblems = showProblemsNotification,
  ) {}

  /** `consequence`: what Agent Auth does about such an entry ("This entry is skipped."). */
  report(problems: ConfigProblem[], consequence: string): void {
    for (const p of problems) {
      const text = `${p.where}: ${p.message}. ${consequence}`;
      if (this.reported.has(text)) continue;
      this.reported.add(text);
      this.log.warn(`Settings: ${text}`);
      this.pending.push(text);
    }
    if (this.pending.length && !this.timer) this.timer = setTimeout(() => this.flush(), GATHER_MS);
  }

  /** Shows what has gathered now (also what the timer does). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const all = this.pending.splice(0);
    if (all.length === 1) this.show(l10n.t('Agent Auth: {0}', all[0]));
    else if (all.length > 1)
      this.show(l10n.t('Agent Auth: {0} problems in the settings (all in the log): {1}', all.length, all.join(' ')));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
