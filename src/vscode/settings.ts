import vscode = require('vscode');
import { l10n } from 'vscode';
import { type ConfigProblem, parseProviders, parseRefreshSettings, type ProviderConfig, type RefreshSettings } from '../session/config.js';

/**
 * Reads and validates `agentAuth.*`. Each distinct problem is shown once (and logged); invalid
 * entries are skipped so the valid ones keep working.
 */
export class Settings implements vscode.Disposable {
  private readonly reported = new Set<string>();
  private refresh: RefreshSettings;
  private readonly watch: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly onProvidersChanged: (providers: ProviderConfig[]) => void,
  ) {
    this.refresh = this.readRefresh();
    this.watch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('agentAuth.refresh')) this.refresh = this.readRefresh();
      if (e.affectsConfiguration('agentAuth.providers')) this.onProvidersChanged(this.providers());
    });
  }

  providers(): ProviderConfig[] {
    const { providers, problems } = parseProviders(vscode.workspace.getConfiguration('agentAuth').get('providers'));
    this.report(problems);
    return providers;
  }

  refreshSettings(): RefreshSettings {
    return this.refresh;
  }

  private readRefresh(): RefreshSettings {
    const c = vscode.workspace.getConfiguration('agentAuth.refresh');
    const { settings, problems } = parseRefreshSettings({
      remainingFraction: c.get('remainingFraction'),
      minSecondsBeforeExpiry: c.get('minSecondsBeforeExpiry'),
    });
    this.report(problems);
    return settings;
  }

  private report(problems: ConfigProblem[]): void {
    for (const p of problems) {
      const text = `${p.where}: ${p.message}`;
      if (this.reported.has(text)) continue;
      this.reported.add(text);
      this.log.warn(`Settings: ${text}. This entry is skipped.`);
      const open = l10n.t('Open Settings');
      void vscode.window
        .showWarningMessage(l10n.t('Agent Auth: {0}: {1}. This entry is skipped.', p.where, p.message), open)
        .then((a) => a === open && vscode.commands.executeCommand('workbench.action.openSettingsJson'));
    }
  }

  dispose(): void {
    this.watch.dispose();
  }
}
