import vscode = require('vscode');
import { l10n } from 'vscode';
import type { ProviderConfig } from '../session/config.js';
import { SessionError } from '../session/errors.js';
import type { TokenService } from '../session/tokenService.js';

/** Callers name the issuer with this scope, e.g. `getSession('agent-auth', ['provider:acme'])`. */
export const PROVIDER_SCOPE_PREFIX = 'provider:';

/**
 * The `agent-auth` authentication provider: one VS Code session per configured provider that is
 * signed in. Its `accessToken` is current when VS Code asks (getSessions refreshes if needed);
 * every token change fires onDidChangeSessions so callers ask again.
 */
export class AgentAuthProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  /** Last session object handed out per provider, to report removals. */
  private readonly known = new Map<string, vscode.AuthenticationSession>();

  constructor(
    private readonly service: TokenService,
    private readonly signIn: (provider: ProviderConfig) => Promise<boolean>,
  ) {
    const sub = service.onDidChange(async (e) => {
      if (e.kind === 'refreshing' || e.kind === 'refreshFailed') return;
      const before = this.known.get(e.providerId);
      const now = await this.sessionFor(e.providerId).catch(() => undefined);
      if (now) this.known.set(e.providerId, now);
      else this.known.delete(e.providerId);
      if (!before && now) this.changed.fire({ added: [now], removed: [], changed: [] });
      else if (before && !now) this.changed.fire({ added: [], removed: [before], changed: [] });
      else if (before && now) this.changed.fire({ added: [], removed: [], changed: [now] });
    });
    this.subscriptions.push(new vscode.Disposable(() => sub.dispose()));
  }

  async getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    const sessions: vscode.AuthenticationSession[] = [];
    for (const p of this.matching(scopes)) {
      const s = await this.sessionFor(p.id);
      if (s) {
        this.known.set(p.id, s);
        sessions.push(s);
      }
    }
    return sessions;
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const candidates = this.matching(scopes);
    const provider = candidates.length === 1 ? candidates[0] : await pickProvider(candidates);
    if (!provider) throw new Error(l10n.t('Sign-in cancelled.'));
    if (!(await this.signIn(provider))) throw new Error(l10n.t('Sign-in to {0} did not complete.', provider.label));
    const s = await this.sessionFor(provider.id);
    if (!s) throw new Error(l10n.t('Sign-in to {0} did not complete.', provider.label));
    return s;
  }

  async removeSession(sessionId: string): Promise<void> {
    const providerId = sessionId.slice(0, sessionId.indexOf('/'));
    if (this.service.state(providerId)) await this.service.signOut(providerId);
  }

  /** Providers named by a `provider:<id>` scope, or all when none is named; other scopes must be configured ones. */
  private matching(scopes: readonly string[] | undefined): ProviderConfig[] {
    const named = (scopes ?? []).filter((s) => s.startsWith(PROVIDER_SCOPE_PREFIX)).map((s) => s.slice(PROVIDER_SCOPE_PREFIX.length));
    const wanted = (scopes ?? []).filter((s) => !s.startsWith(PROVIDER_SCOPE_PREFIX));
    return this.service
      .getProviders()
      .filter((p) => named.length === 0 || named.includes(p.id))
      .filter((p) => wanted.every((s) => p.scopes.includes(s)));
  }

  private async sessionFor(providerId: string): Promise<vscode.AuthenticationSession | undefined> {
    const state = this.service.state(providerId);
    if (!state?.session) return undefined;
    try {
      const t = await this.service.getAccessToken(providerId);
      return {
        id: `${providerId}/${state.session.sessionId}`,
        accessToken: t.accessToken,
        account: { id: t.account.id, label: t.account.label },
        scopes: [PROVIDER_SCOPE_PREFIX + providerId, ...state.provider.scopes],
      };
    } catch (e) {
      if (e instanceof SessionError) return undefined;
      throw e;
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

async function pickProvider(providers: ProviderConfig[]): Promise<ProviderConfig | undefined> {
  if (providers.length === 0) {
    throw new Error(l10n.t('No Agent Auth provider matches the requested scopes. Configure one in agentAuth.providers.'));
  }
  const pick = await vscode.window.showQuickPick(
    providers.map((p) => ({ label: p.label, description: p.id, detail: p.issuer ?? p.resource ?? p.endpoints?.authorization, provider: p })),
    { title: l10n.t('Agent Auth: sign in to which provider?') },
  );
  return pick?.provider;
}
