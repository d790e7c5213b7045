import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { presentStatus } from '../../src/vscode/statusBar.js';
import { statusActions } from '../../src/vscode/statusView.js';
import { idpWorld, type IdpWorld } from '../vscode/idpSession.js';
import { provider, serviceWith, session } from '../vscode/sessions.js';

const M = 60_000;
/** The tooltip's text as a reader sees it (appendText escapes punctuation and spaces). */
const plain = (md: vscode.MarkdownString) =>
  md.value.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!<>|])/g, '$1');

describe('status bar and status view (real vscode types)', () => {
  let w: IdpWorld;
  before(async () => {
    w = await idpWorld({ accessTokenTtl: 600 });
  });
  after(() => w.close());

  it('asks to sign in, calmly and by name, while nobody is signed in, and hides with no provider', async () => {
    const p = presentStatus(w.service, Date.now(), 5 * M)!;
    assert.equal(p.text, '$(key) Dev IdP: Sign in');
    assert.equal(p.backgroundColor, undefined);
    assert.equal(p.accessibilityLabel, 'Agent Auth: Dev IdP: not signed in');
    const two = await serviceWith([provider('acme'), provider('beta')], []);
    assert.equal(presentStatus(two, Date.now(), 5 * M)!.text, '$(key) Acme: Sign in +1');
    two.dispose();
    assert.equal(p.nextRenderMs, undefined, 'no timer while nothing counts down');
    const empty = await serviceWith([], []);
    assert.equal(presentStatus(empty, Date.now(), 5 * M), undefined);
    empty.dispose();
  });

  it('counts down a real token, stays neutral while it can refresh, and spins while refreshing', async () => {
    await w.signIn();
    const token = await w.service.getAccessToken('dev');
    const now = Date.now();
    const ok = presentStatus(w.service, now, 5 * M)!;
    assert.match(ok.text, /^\$\(key\) Dev IdP (9m|10m)$/);
    assert.equal(ok.backgroundColor, undefined);
    assert.ok(ok.nextRenderMs! > 0 && ok.nextRenderMs! <= 60_001);
    assert.match(
      ok.accessibilityLabel,
      /^Agent Auth: Dev IdP token valid until \d\d:\d\d:\d\d, refreshed automatically$/,
    );
    const tip = plain(ok.tooltip);
    for (const part of [
      '**Dev IdP**',
      'Account: alice',
      `Issuer: ${w.idp.issuer}`,
      'Scopes: openid',
      '(in 9m)',
      'Next refresh: ',
    ])
      assert.ok(tip.includes(part), `tooltip mentions ${part}: ${tip}`);
    assert.ok(!tip.includes(token.accessToken), 'the tooltip never shows the token');

    const near = presentStatus(w.service, now, 20 * M)!;
    assert.equal(near.backgroundColor, undefined, 'expiry within warningSeconds, but a refresh will come: neutral');

    const refresh = w.service.refreshNow('dev');
    assert.match(presentStatus(w.service, Date.now(), 5 * M)!.text, /^\$\(sync~spin\) /);
    await refresh;
    const after = presentStatus(w.service, Date.now(), 5 * M)!;
    assert.match(after.text, /^\$\(key\) /);
    assert.match(plain(after.tooltip), /Last refresh: .*, succeeded/);
  });

  it('warns, and counts seconds in the last minute, only when the session cannot refresh', async () => {
    const now = Date.now();
    const service = await serviceWith(
      [provider('acme')],
      [session('acme', { refreshToken: undefined, expiresAt: now + 45_500 })],
    );
    const p = presentStatus(service, now, 5 * M)!;
    assert.equal(p.text, '$(key) Acme 45s');
    assert.equal((p.backgroundColor as unknown as { id: string }).id, 'statusBarItem.warningBackground');
    assert.equal(p.nextRenderMs, 501, 'ticks each second');
    assert.match(p.accessibilityLabel, /will not be refreshed$/);
    const later = presentStatus(service, now + 46_000, 5 * M)!;
    assert.equal(later.text, '$(key) Acme: Sign in');
    assert.equal((later.backgroundColor as unknown as { id: string }).id, 'statusBarItem.errorBackground');
    service.dispose();
  });

  it('turns red with "Sign in" when only a sign-in helps, naming that provider first', async () => {
    const dead = session('beta', {
      refreshToken: undefined,
      needsSignIn: { reason: 'the refresh token was revoked', at: Date.now() },
    });
    const service = await serviceWith([provider('acme'), provider('beta')], [session('acme'), dead]);
    const p = presentStatus(service, Date.now(), 5 * M)!;
    assert.equal(p.text, '$(key) Beta: Sign in +1');
    assert.equal((p.backgroundColor as unknown as { id: string }).id, 'statusBarItem.errorBackground');
    assert.match(plain(p.tooltip), /Needs sign-in: the refresh token was revoked/);
    const signIn = statusActions(service).find((i) => i.command === 'agentAuth.signIn')!;
    assert.deepEqual([signIn.args, signIn.description], [['beta'], 'needs sign-in: the refresh token was revoked']);
    service.dispose();
  });

  it('offers the actions that fit each provider, with its id as the argument', async () => {
    const service = await serviceWith([provider('acme'), provider('beta')], [session('acme')]);
    const items = statusActions(service);
    const actions = items
      .filter((i) => i.kind !== vscode.QuickPickItemKind.Separator)
      .map((i) => [i.command, ...(i.args ?? []).map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' '));
    assert.deepEqual(actions, [
      'agentAuth.refreshNow acme',
      'agentAuth.copyAccessToken acme',
      '_manageTrustedExtensionsForAccount {"providerId":"agent-auth","accountLabel":"alice@example.com"}',
      'agentAuth.signOut acme',
      'agentAuth.signInAnotherAccount acme',
      'agentAuth.signIn beta',
      'agentAuth.showLog',
    ]);
    assert.deepEqual(
      items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label),
      ['Acme', 'Beta', ''],
    );
    assert.match(
      items.find((i) => i.command === 'agentAuth.refreshNow')!.description!,
      /^alice@example\.com, token valid for (59m|1h 00m)$/,
    );
    assert.equal(items.find((i) => i.command === 'agentAuth.signIn')!.description, undefined);
    service.dispose();
  });

  it('offers to delete unreadable session entries when there are some', async () => {
    // A future format version: unreadable here, so it is set aside when the provider loads.
    const service = await serviceWith(
      [provider('acme')],
      [{ ...session('acme'), v: 2 } as unknown as ReturnType<typeof session>],
    );
    const count = await service.setAsideCount();
    assert.equal(count, 1);
    const commands = statusActions(service, Date.now(), count)
      .map((i) => i.command)
      .filter(Boolean);
    assert.deepEqual(commands, ['agentAuth.signIn', 'agentAuth.deleteSetAsideSessions', 'agentAuth.showLog']);
    assert.ok(!statusActions(service, Date.now(), 0).some((i) => i.command === 'agentAuth.deleteSetAsideSessions'));
    service.dispose();
  });

  it('offers to configure providers when there are none', async () => {
    const service = await serviceWith([], []);
    const commands = statusActions(service)
      .map((i) => i.command)
      .filter(Boolean);
    assert.deepEqual(commands, ['workbench.action.openSettings', 'agentAuth.showLog']);
    service.dispose();
  });
});

describe('the installed extension wires the glue', () => {
  it('registers the status, terminal and token commands, and VS Code has the trusted-extensions view the status view opens', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of ['agentAuth.showStatus', 'agentAuth.newTerminal', 'agentAuth.accessToken'])
      assert.ok(all.has(c), `${c} is registered`);
    // getCommands(true) leaves out internal commands (a leading underscore).
    assert.ok((await vscode.commands.getCommands(false)).includes('_manageTrustedExtensionsForAccount'));
  });
});
