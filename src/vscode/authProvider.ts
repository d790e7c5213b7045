import { createHash } from 'node:crypto';
import vscode = require('vscode');
import { l10n } from 'vscode';
import { type AccountRegistry, grantedScopes } from '../session/accounts/accounts.js';
import { lanesForScopes } from '../session/accounts/scopeMatch.js';
import { allowedScopesOf, type ProviderConfig } from '../session/config/config.js';
import { SessionError } from '../session/errors.js';
import type { TokenService } from '../session/tokenService.js';
import { providerStatus } from './statusModel.js';
import { noProviderForScopes, scopesNotAllowed } from './messages.js';

/** Callers name the issuer with this scope, e.g. `getSession('agent-auth', ['provider:acme'])`. */
export const PROVIDER_SCOPE_PREFIX = 'provider:';
export const AUTH_PROVIDER_ID = 'agent-auth';

/**
 * The scopes of a VS Code session of `p` (a provider or one of its account lanes): `provider:<id>`,
 * which every lane of the provider answers to, then the configured scopes, then any more the server
 * granted. Not the server's answer alone: servers leave out scopes they did grant in effect
 * (oidc-provider omits offline_access while issuing a refresh token), and VS Code's Accounts menu
 * matches a session to a sign-in request by its exact scopes.
 */
export const sessionScopes = (p: ProviderConfig, granted: readonly string[] = []): string[] => [
  PROVIDER_SCOPE_PREFIX + (p.laneOf ?? p.id),
  ...p.scopes,
  ...granted.filter((x) => !p.scopes.includes(x)),
];

type AccountLanes = Pick<
  AccountRegistry,
  'lanes' | 'defaultLane' | 'accounts' | 'addAccount' | 'signOut' | 'scopesOf' | 'scopeSetAllowed'
>;

/** Without an AccountRegistry: one account per provider, in its bare lane. */
const oneAccountEach = (service: TokenService): AccountLanes => ({
  lanes: (id) => [id],
  defaultLane: (id) => id,
  accounts: () => [],
  scopesOf: () => undefined,
  scopeSetAllowed: () => true,
  addAccount: () => Promise.reject(new Error('one account per provider')),
  signOut: (id) => service.signOut(id),
});

/** How many access tokens of one session the provider remembers having handed out (a day of 45-minute tokens). */
const HANDED_OUT_KEPT = 32;

/** Below this much validity getSessions starts a refresh in the background (and still answers at once). */
const BACKGROUND_REFRESH_MS = 15_000;

/**
 * The `agent-auth` authentication provider: one VS Code session per signed-in account of each
 * configured provider (several accounts side by side, see accounts.ts; the default one first). `getSessions` answers from memory: it waits only for this window's first read of
 * SecretStorage (never the network) and never rejects for a failing refresh; a token about to
 * expire is refreshed in the background, and every token change fires onDidChangeSessions so
 * callers ask again.
 */
export class AgentAuthProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  /** Last session object handed out per provider, to report removals. */
  private readonly known = new Map<string, vscode.AuthenticationSession>();
  /** Per provider: the session id and the sha256 of each access token handed to VS Code for it. */
  private readonly handed = new Map<string, { sessionId: string; tokens: string[] }>();

  constructor(
    private readonly service: TokenService,
    private readonly signIn: (provider: ProviderConfig) => Promise<boolean>,
    /** Resolves once the service holds what SecretStorage has for the provider or lane (no network). */
    private readonly loaded: (providerId: string) => Promise<void> = () => Promise.resolve(),
    private readonly accounts: AccountLanes = oneAccountEach(service),
  ) {
    const sub = service.onDidChange((e) => {
      if (e.kind === 'refreshing') return;
      const before = this.known.get(e.providerId);
      const now = this.current(e.providerId);
      if (now) {
        this.known.set(e.providerId, now);
        this.remember(e.providerId, now);
      } else {
        this.known.delete(e.providerId);
        this.handed.delete(e.providerId);
      }
      if (!before && now) this.changed.fire({ added: [now], removed: [], changed: [] });
      else if (before && !now) this.changed.fire({ added: [], removed: [before], changed: [] });
      else if (before && now && (before.id !== now.id || before.accessToken !== now.accessToken))
        this.changed.fire({ added: [], removed: [], changed: [now] });
    });
    this.subscriptions.push(new vscode.Disposable(() => sub.dispose()));
  }

  async getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    const providers = this.matching(scopes);
    await Promise.all(providers.map((p) => this.loaded(p.id).catch(() => undefined)));
    const wanted = otherScopes(scopes);
    const lanes = providers.flatMap((p) => lanesForScopes(p, wanted, this.accounts, (l) => this.service.state(l)));
    await Promise.all(lanes.map((l) => this.loaded(l).catch(() => undefined)));
    const sessions: vscode.AuthenticationSession[] = [];
    for (const lane of lanes) {
      const s = this.current(lane);
      if (!s) continue;
      this.known.set(lane, s);
      this.remember(lane, s);
      sessions.push(s);
      this.refreshInBackgroundIfDue(lane);
    }
    return sessions;
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const candidates = this.matching(scopes);
    if (!candidates.length) this.refuseScopes(scopes);
    const provider = candidates.length === 1 ? candidates[0] : await pickProvider(candidates);
    if (!provider) throw new Error(l10n.t('Sign-in cancelled.'));
    const extra = otherScopes(scopes).filter((s) => !provider.scopes.includes(s));
    // Scopes beyond the configured ones: a session of its own for that scope set (a sign-in).
    // Otherwise VS Code asks for a new session when the caller wants another account: a further
    // lane, with the server's account picker.
    const lane = extra.length
      ? await this.accounts.addAccount(provider.id, (p) => this.signIn(p), { scopes: extra })
      : this.accounts.accounts(provider.id).length
        ? await this.accounts.addAccount(provider.id, (p) => this.signIn(p))
        : (await this.signIn(provider)) && provider.id;
    const s = lane ? this.current(lane) : undefined;
    if (!lane || !s) throw new Error(l10n.t('Sign-in to {0} did not complete.', provider.label));
    this.remember(lane, s);
    return s;
  }

  /**
   * Whether `session` is this provider's current session and carries an access token this
   * provider handed to VS Code for it: VS Code passes those only to extensions the user allowed.
   */
  handedOut(session: unknown): boolean {
    const { id, accessToken } = (session ?? {}) as Partial<vscode.AuthenticationSession>;
    if (typeof id !== 'string' || typeof accessToken !== 'string') return false;
    const providerId = id.slice(0, Math.max(0, id.indexOf('/')));
    const h = this.handed.get(providerId);
    return !!h && h.sessionId === id && this.current(providerId)?.id === id && h.tokens.includes(sha256(accessToken));
  }

  private remember(providerId: string, s: vscode.AuthenticationSession): void {
    let h = this.handed.get(providerId);
    if (h?.sessionId !== s.id) this.handed.set(providerId, (h = { sessionId: s.id, tokens: [] }));
    const t = sha256(s.accessToken);
    if (!h.tokens.includes(t)) h.tokens.push(t);
    if (h.tokens.length > HANDED_OUT_KEPT) h.tokens.shift();
  }

  async removeSession(sessionId: string): Promise<void> {
    // Only that account: the provider's other accounts stay signed in.
    const laneId = sessionId.slice(0, sessionId.indexOf('/'));
    if (this.service.state(laneId)) await this.accounts.signOut(laneId);
  }

  /** Providers named by a `provider:<id>` scope, or all when none is named; other scopes must be allowed ones (allowedScopes). */
  private matching(scopes: readonly string[] | undefined): ProviderConfig[] {
    const wanted = otherScopes(scopes);
    return this.named(scopes).filter((p) => wanted.every((s) => allowedScopesOf(p).includes(s)));
  }

  private named(scopes: readonly string[] | undefined): ProviderConfig[] {
    const named = (scopes ?? [])
      .filter((s) => s.startsWith(PROVIDER_SCOPE_PREFIX))
      .map((s) => s.slice(PROVIDER_SCOPE_PREFIX.length));
    return this.service.getProviders().filter((p) => named.length === 0 || named.includes(p.id));
  }

  /** A clear refusal for scopes no named provider allows. */
  private refuseScopes(scopes: readonly string[]): never {
    const wanted = otherScopes(scopes);
    const named = this.named(scopes);
    if (!named.length || !wanted.length) throw new Error(noProviderForScopes());
    const p = named[0];
    const outside = wanted.filter((s) => !allowedScopesOf(p).includes(s));
    throw new SessionError(
      'scope_not_allowed',
      scopesNotAllowed(p.label, outside.join(' '), allowedScopesOf(p).join(' ')),
    );
  }

  /**
   * The session as this window holds it, from memory. A session that is only waiting for a
   * refresh (even a failing one) is still a session; one that only a sign-in can revive, once its
   * access token has expired, is not.
   */
  private current(providerId: string): vscode.AuthenticationSession | undefined {
    const state = this.service.state(providerId);
    const s = state?.session;
    if (!state || !s?.accessToken) return undefined;
    if (providerStatus(state, Date.now(), 0).kind === 'needsSignIn' && s.expiresAt <= Date.now()) return undefined;
    return {
      id: `${providerId}/${s.sessionId}`,
      accessToken: s.accessToken,
      account: { id: s.account.id, label: s.account.label },
      scopes: sessionScopes(state.provider, grantedScopes(s)),
    };
  }

  private refreshInBackgroundIfDue(providerId: string): void {
    const s = this.service.state(providerId)?.session;
    if (!s?.refreshToken || s.needsSignIn || s.expiresAt - Date.now() > BACKGROUND_REFRESH_MS) return;
    // The service shares one refresh among all callers and logs a failure; the change event tells VS Code.
    void this.service.getAccessToken(providerId).catch(() => undefined);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

const otherScopes = (scopes: readonly string[] | undefined) =>
  (scopes ?? []).filter((s) => !s.startsWith(PROVIDER_SCOPE_PREFIX));

async function pickProvider(providers: ProviderConfig[]): Promise<ProviderConfig | undefined> {
  if (providers.length === 0) {
    throw new Error(noProviderForScopes());
  }
  const pick = await vscode.window.showQuickPick(
    providers.map((p) => ({
      label: p.label,
      description: p.id,
      detail: p.issuer ?? p.resource ?? p.endpoints?.authorization,
      provider: p,
    })),
    { title: l10n.t('Agent Auth: sign in to which provider?') },
  );
  return pick?.provider;
}

/**
 * Puts "Sign in with Agent Auth to use Agent Auth" in the Accounts menu (with its badge) for every
 * provider that has no session, as VS Code does for built-in providers when an extension asks
 * with `createIfNone: false`. VS Code removes the entry when a session with exactly these scopes
 * is added; clicking it runs createSession.
 */
export async function requestSignIns(service: TokenService, auth: AgentAuthProvider): Promise<void> {
  for (const p of service.getProviders()) {
    const scopes = sessionScopes(p);
    // The scopes name the provider: any of its accounts counts.
    if ((await auth.getSessions(scopes)).length) continue;
    await vscode.authentication.getSession(AUTH_PROVIDER_ID, scopes, { createIfNone: false });
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
