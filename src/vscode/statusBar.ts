import vscode = require('vscode');
import { l10n } from 'vscode';
import { type AccountResolver, SINGLE_ACCOUNTS } from '../session/accounts/accounts.js';
import type { ProviderConfig } from '../session/config/config.js';
import type { ProviderState, TokenService } from '../session/tokenService.js';
import { formatRemaining } from './countdown.js';
import type { Glue } from './glue.js';
import { mostUrgent, nextRenderDelayMs, providerStatus, type ProviderStatus, worstSeverity } from './statusModel.js';

/**
 * One calm status bar item for all providers: it names the one that needs attention first (or
 * expires soonest), counts down its token and spins while a refresh runs. Neutral while the
 * session refreshes itself; warning colours only when it cannot (no refresh token, refreshes
 * failing) and expiry is nearer than agentAuth.statusBar.warningSeconds; error colours once
 * expired or when only a sign-in helps. It re-renders only when the text or colour would change
 * (see countdown.ts); with nothing counting down, no timer runs.
 */
export function registerStatusBar(g: Glue): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('agentAuth.status', vscode.StatusBarAlignment.Right, 100);
  item.name = l10n.t('Agent Auth');
  item.command = 'agentAuth.showStatus';
  /** Lanes whose stored entry was unreadable: they need a sign-in although no session is left. */
  const corrupt = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  const render = () => {
    clearTimeout(timer);
    timer = undefined;
    const p = presentStatus(g.service, Date.now(), warningSeconds() * 1000, corrupt, g.accounts);
    if (!p) return item.hide();
    item.text = p.text;
    item.backgroundColor = p.backgroundColor;
    item.tooltip = p.tooltip;
    item.accessibilityInformation = { label: p.accessibilityLabel };
    item.show();
    if (p.nextRenderMs !== undefined) timer = setTimeout(render, p.nextRenderMs);
  };

  const subscriptions = [
    item,
    g.service.onDidChange((e) => {
      if (e.kind === 'corrupt') corrupt.set(e.providerId, e.message ?? l10n.t('the stored session was unreadable'));
      else if (e.kind === 'signedIn' || e.kind === 'signedOut') corrupt.delete(e.providerId);
      render();
    }),
    // Another default account ("Make … the Default Account", in this window or another) changes no token.
    g.accounts.onDidChange(render),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('agentAuth.statusBar') || e.affectsConfiguration('agentAuth.providers')) render();
    }),
    // Timers stall while the machine sleeps; focusing the window again shows the true time at once.
    vscode.window.onDidChangeWindowState((s) => s.focused && render()),
  ];
  render();
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    subscriptions.forEach((d) => d.dispose());
  });
}

export interface StatusPresentation {
  text: string;
  backgroundColor: vscode.ThemeColor | undefined;
  tooltip: vscode.MarkdownString;
  accessibilityLabel: string;
  /** When to render again; undefined: nothing counts down, so no timer. */
  nextRenderMs: number | undefined;
}

/** What the item shows for the service's current state; undefined (hidden) with no provider configured. */
export function presentStatus(
  service: TokenService,
  now: number,
  warningMs: number,
  corrupt: ReadonlyMap<string, string> = new Map(),
  accounts: AccountResolver = SINGLE_ACCOUNTS,
): StatusPresentation | undefined {
  // Each provider as its default account is (see accounts.ts); the status view lists every account.
  const rows = service.getProviders().map((provider) => {
    const lane = accounts.defaultLane(provider.id);
    const state = service.state(lane)!;
    // An unreadable entry counts for the lane it was read for, not for another account of its provider.
    return { provider, state, status: providerStatus(state, now, warningMs, corrupt.get(lane)) };
  });
  if (rows.length === 0) return undefined;
  // Nobody signed in: name the first provider ("Acme: Sign in"), the others as "+N".
  const shown = mostUrgent(rows) ?? rows[0];
  const signedIn = shown.status.kind !== 'signedOut';
  const others = rows.filter((r) => r !== shown && (signedIn ? r.status.kind !== 'signedOut' : true)).length;
  const icon = rows.some((r) => r.state.refreshing) ? '$(sync~spin)' : '$(key)';
  const text = statusText(shown.provider, shown.status);
  const sev = worstSeverity(rows.map((r) => r.status));
  return {
    text: `${icon} ${text}${others ? ` +${others}` : ''}`,
    backgroundColor:
      sev === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : sev === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined,
    tooltip: tooltip(rows, now),
    accessibilityLabel: l10n.t('Agent Auth: {0}', accessibleText(shown.provider, shown.status, shown.state)),
    nextRenderMs: nextRenderDelayMs(
      rows.map((r) => r.status),
      warningMs,
    ),
  };
}

function warningSeconds(): number {
  const v = vscode.workspace.getConfiguration('agentAuth.statusBar').get<number>('warningSeconds', 300);
  return Number.isFinite(v) && v >= 0 ? v : 300;
}

function statusText(p: ProviderConfig, s: ProviderStatus): string {
  switch (s.kind) {
    case 'valid':
      return `${p.label} ${formatRemaining(s.remainingMs, s.unavoidable)}`;
    case 'expired':
      return l10n.t('{0} expired', p.label);
    default:
      return l10n.t('{0}: Sign in', p.label);
  }
}

/** Also what the e2e tests read: the expiry time shows that a refresh happened. */
function accessibleText(p: ProviderConfig, s: ProviderStatus, state: ProviderState): string {
  switch (s.kind) {
    case 'valid':
      return s.unavoidable
        ? l10n.t('{0} token valid until {1}, will not be refreshed', p.label, clock(state.session!.expiresAt))
        : l10n.t('{0} token valid until {1}, refreshed automatically', p.label, clock(state.session!.expiresAt));
    case 'expired':
      return l10n.t('{0} token expired, refresh failing', p.label);
    case 'signedOut':
      return l10n.t('{0}: not signed in', p.label);
    default:
      return l10n.t('{0} needs you to sign in', p.label);
  }
}

function tooltip(
  rows: { provider: ProviderConfig; state: ProviderState; status: ProviderStatus }[],
  now: number,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  const line = (label: string, value: string) => {
    md.appendMarkdown(`${label}: `);
    md.appendText(value);
    md.appendMarkdown('  \n');
  };
  rows.forEach(({ provider, state, status }, i) => {
    if (i > 0) md.appendMarkdown('\n\n---\n\n');
    md.appendMarkdown('**');
    md.appendText(provider.label);
    md.appendMarkdown('**  \n');
    const s = state.session;
    if (!s) {
      md.appendText(
        status.kind === 'needsSignIn' ? l10n.t('Needs sign-in: {0}', status.reason ?? '') : l10n.t('Not signed in'),
      );
      md.appendMarkdown('  \n');
      return;
    }
    line(l10n.t('Account'), s.account.label);
    line(l10n.t('Issuer'), s.endpoints.issuer);
    line(l10n.t('Scopes'), s.grantedScope ?? s.scopes.join(' '));
    const left = s.expiresAt - now;
    line(
      left > 0 ? l10n.t('Expires') : l10n.t('Expired'),
      left > 0
        ? l10n.t(
            '{0} (in {1})',
            time(s.expiresAt),
            formatRemaining(left, status.kind === 'valid' && status.unavoidable),
          )
        : time(s.expiresAt),
    );
    if (state.refreshing) line(l10n.t('Refresh'), l10n.t('in progress…'));
    if (state.lastRefresh) {
      const r = state.lastRefresh;
      line(
        l10n.t('Last refresh'),
        r.ok ? l10n.t('{0}, succeeded', time(r.at)) : l10n.t('{0}, failed: {1}', time(r.at), r.message ?? ''),
      );
    }
    if (state.nextRefreshAt !== undefined && !state.refreshing) line(l10n.t('Next refresh'), time(state.nextRefreshAt));
    if (status.kind === 'needsSignIn') line(l10n.t('Needs sign-in'), status.reason ?? '');
  });
  md.appendMarkdown('\n\n');
  md.appendText(l10n.t('Click for actions.'));
  return md;
}

const time = (ms: number) => new Date(ms).toLocaleString();
/** HH:MM:SS, 24-hour: what the accessibility label (and the e2e test reading it) shows. */
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);
