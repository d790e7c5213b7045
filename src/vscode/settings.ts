import vscode = require('vscode');
import { l10n } from 'vscode';
import { type SettingsProblems } from './settingsProblems.js';
import {
  type ConfigProblem,
  parseProviders,
  parseRefreshSettings,
  type ProviderConfig,
  type RefreshSettings,
} from '../session/config/config.js';

/**
 * Reads and validates `agentAuth.*`. Each distinct problem is reported once (see
 * settingsProblems.ts); invalid entries are skipped so the valid ones keep working.
 */
export class Settings implements vscode.Disposable {
  private refresh: RefreshSettings;
  private readonly watch: vscode.Disposable;

  constructor(
    private readonly problems: SettingsProblems,
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
    this.problems.report(problems, l10n.t('This entry is skipped.'));
  }

  dispose(): void {
    this.watch.dispose();
  }
}
