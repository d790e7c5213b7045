import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { fingerprint } from '../../src/protocol/log.js';
import { RedactingChannel } from '../../src/vscode/redactingChannel.js';

/** Records what reaches the real channel; the type is all this module takes from `vscode`. */
function recorder() {
  const lines: string[] = [];
  const rec =
    (kind: string) =>
    (m: string, ...args: string[]) =>
      lines.push([kind, m, ...args].join(' '));
  const inner = {
    name: 'x',
    logLevel: 1,
    onDidChangeLogLevel: () => ({ dispose() {} }),
    trace: rec('trace'),
    debug: rec('debug'),
    info: rec('info'),
    warn: rec('warn'),
    error: rec('error'),
    append: rec('append'),
    appendLine: rec('appendLine'),
    replace: rec('replace'),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  } as unknown as vscode.LogOutputChannel;
  return { inner, lines };
}

describe('RedactingChannel', () => {
  it('replaces every known token in every kind of line, including in arguments', () => {
    const { inner, lines } = recorder();
    const ch = new RedactingChannel(inner);
    const t1 = 'eyJhbGciOiJSUzI1NiJ9.first.token';
    const t2 = 'opaque-second-token';
    ch.addSecret(t1);
    ch.addSecret(t2);
    ch.trace(`Sending request 'initialize' {"initializationOptions":{"agentAuth":{"accessToken":"${t1}"}}}`);
    ch.info(`stderr: got ${t2} and ${t2}`);
    ch.error(new Error(`failed with ${t1}`), { token: t2 });
    ch.appendLine(t2);
    const all = lines.join('\n');
    assert.ok(!all.includes(t1) && !all.includes(t2), all);
    assert.ok(all.includes(fingerprint(t1)) && all.includes(fingerprint(t2)));
    assert.equal(lines.length, 4);
  });

  it('forgets the oldest tokens past its bound, not the recent ones', () => {
    const { inner, lines } = recorder();
    const ch = new RedactingChannel(inner);
    for (let i = 0; i < 20; i++) ch.addSecret(`token-number-${String(i).padStart(2, '0')}`);
    ch.info('token-number-19 token-number-04 token-number-03');
    assert.equal(lines[0], `info ${fingerprint('token-number-19')} ${fingerprint('token-number-04')} token-number-03`);
  });
});
