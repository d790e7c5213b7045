import vscode = require('vscode');
import { l10n } from 'vscode';
import type * as AgentClientModule from './agentClient.js';
import type { AgentClient } from './agentClient.js';
import { type AgentConfig, parseAgents } from './agentsConfig.js';
import type { Glue } from './glue.js';
import type { SettingsProblems } from './settingsProblems.js';

/**
 * Agent language servers from agentAuth.agents: which ones run, in which workspaces. How one
 * runs is in agentClient.ts, loaded only once an agent is configured.
 */

/** Its dispose resolves once every language client has stopped (deactivate awaits it). */
export function registerLanguageServers(g: Glue, problems: SettingsProblems): { dispose(): Promise<void> } {
  const clients = new AgentClients(g);
  const reconcile = () => {
    const { agents, problems: found } = parseAgents(
      vscode.workspace.getConfiguration('agentAuth').get('agents'),
      g.service.getProviders().map((p) => p.id),
    );
    problems.report(found, l10n.t('This agent is not started.'));
    clients.update(agents);
  };
  let later: NodeJS.Timeout | undefined;
  const watch = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('agentAuth.agents')) reconcile();
    // The extension's own listener hands new providers to the service; look after it has run.
    else if (e.affectsConfiguration('agentAuth.providers')) {
      clearTimeout(later);
      later = setTimeout(reconcile, 0);
    }
  });
  reconcile();
  let disposed: Promise<void> | undefined;
  return {
    dispose: () =>
      (disposed ??= (async () => {
        clearTimeout(later);
        watch.dispose();
        await clients.dispose();
      })()),
  };
}

/**
 * One client per agent entry; an entry that changed in any way is restarted, the others keep
 * running. An agent acts on the workspace with the user's token, so none runs in Restricted Mode
 * (package.json declares limited support): they start when the user grants trust.
 */
export class AgentClients {
  private readonly clients = new Map<string, AgentClient>();
  private wanted: AgentConfig[] = [];
  private readonly trustWatch: vscode.Disposable;

  constructor(private readonly g: Glue) {
    this.trustWatch = vscode.workspace.onDidGrantWorkspaceTrust(() => this.update(this.wanted));
  }

  update(wanted: AgentConfig[]): void {
    this.wanted = wanted;
    if (!vscode.workspace.isTrusted && wanted.length)
      this.g.log.info(`${wanted.length} agent(s) will start once this workspace is trusted.`);
    const byId = new Map(this.running().map((a) => [a.id, a]));
    for (const [id, client] of this.clients) {
      if (client.key === JSON.stringify(byId.get(id))) continue;
      this.clients.delete(id);
      void client.dispose();
    }
    const missing = this.running().filter((a) => !this.clients.has(a.id));
    if (!missing.length) return;
    // Required here, not imported at the top: the build keeps it a separate file (see agentClient.ts),
    // loaded only once an agent is configured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (scripts/buildOptions.ts)
    const { AgentClient } = require('./agentClient.js') as typeof AgentClientModule;
    for (const a of missing) this.clients.set(a.id, new AgentClient(this.g, a));
  }

  private running(): AgentConfig[] {
    return vscode.workspace.isTrusted ? this.wanted : [];
  }

  async dispose(): Promise<void> {
    this.trustWatch.dispose();
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.dispose()));
  }
}
