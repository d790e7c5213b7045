import vscode = require('vscode');
import { l10n } from 'vscode';
import type { ConfigProblem } from '../session/config.js';
import type { Glue } from './glue.js';

/**
 * Reports each invalid settings entry once per window: a log line and a warning with "Open
 * Settings". `consequence` is what happens to the entry ("This agent is not started."); the log
 * gets it in English, the message the localized `localized(where, message)`.
 */
export function reportSettingProblems(
  g: Glue,
  problems: ConfigProblem[],
  reported: Set<string>,
  consequence: string,
  localized: (where: string, message: string) => string,
): void {
  for (const p of problems) {
    const text = `${p.where}: ${p.message}`;
    if (reported.has(text)) continue;
    reported.add(text);
    g.log.warn(`Settings: ${text}. ${consequence}`);
    const open = l10n.t('Open Settings');
    void vscode.window
      .showWarningMessage(localized(p.where, p.message), open)
      .then((a) => a === open && vscode.commands.executeCommand('workbench.action.openSettingsJson'));
  }
}
