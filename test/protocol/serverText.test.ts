import assert from 'node:assert/strict';
import { isSafeUserCode, SERVER_TEXT_MAX, serverText } from '../../src/protocol/serverText.js';
import { assertInert } from '../support/inert.js';

/** What a hostile IdP puts in every string it controls (the same text as test/fixtures/idpHostile.ts). */
const LINK = '[Fix it now](command:workbench.action.terminal.new)';
const OSC8 = '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007';
const CLEAR = '\u001b[2J';

describe('serverText: server strings become plain, short, inert text', () => {
  it('keeps ordinary text as it is', () => {
    assert.equal(serverText('The refresh token is invalid or expired.'), 'The refresh token is invalid or expired.');
    assert.equal(serverText('Grüße, 東京 — ok'), 'Grüße, 東京 — ok');
  });

  it('removes CSI and OSC sequences whole, terminated by BEL or ST, and unterminated ones', () => {
    assert.equal(serverText(`a${CLEAR}b`), 'ab');
    assert.equal(serverText(`a\u001b[1;31mred\u001b[0mb`), 'aredb');
    assert.equal(serverText(`see ${OSC8} here`), 'see click here');
    assert.equal(serverText('x\u001b]0;title\u001b\\y'), 'xy');
    assert.equal(serverText('x\u001b]8;;http://evil never ends'), 'x');
    assert.equal(serverText('x\u009b2Jy\u009d0;t\u009cz'), 'xyz');
    assert.equal(serverText('a\u001bcb'), 'ab', 'RIS');
  });

  it('turns other C0/C1 controls, line breaks and bidi overrides into single spaces', () => {
    assert.equal(serverText('one\r\ntwo\tthree\u0000four\u0085five'), 'one two three four five');
    assert.equal(serverText('abc\u202edef\u2066g'), 'abc def g');
    assert.equal(serverText('\u0007\u0008  padded \u007f'), 'padded');
  });

  it('breaks markdown link targets, command URIs and icon syntax', () => {
    assert.equal(serverText(LINK), '[Fix it now] (command: workbench.action.terminal.new)');
    assert.equal(serverText('[x]\n(COMMAND:foo)'), '[x] (COMMAND: foo)');
    assert.equal(serverText('<command:foo>'), '<command: foo>');
    assert.equal(serverText('$(alert) fake'), '$ (alert) fake');
    assertInert(serverText(LINK));
  });

  it('caps the length at about 300 characters, counting code points', () => {
    const long = serverText('A'.repeat(10_000));
    assert.equal([...long].length, SERVER_TEXT_MAX);
    assert.ok(long.endsWith('…'));
    const emoji = serverText('😀'.repeat(400));
    assert.equal([...emoji].length, SERVER_TEXT_MAX);
    assert.equal(serverText('short', 3), 'sh…');
  });

  it('handles the whole hostile payload (link, escapes, 10 KB) and non-strings', () => {
    const hostile = `${LINK} ${OSC8} ${CLEAR} ${'x'.repeat(10 * 1024)}`;
    const out = serverText(hostile);
    assertInert(out);
    assert.ok(out.startsWith('[Fix it now] (command: workbench'));
    assert.equal(serverText(undefined), '');
    assert.equal(serverText(42), '42');
  });

  it('is idempotent', () => {
    const once = serverText(`${LINK} ${OSC8} ${'y'.repeat(500)}`);
    assert.equal(serverText(once), once);
  });
});

describe('isSafeUserCode: RFC 8628 user codes only', () => {
  it('accepts letters, digits, "-" and spaces', () => {
    for (const c of ['WDJB-MJHT', 'ABCD EFGH', '123456', 'a1-b2']) assert.ok(isSafeUserCode(c), c);
  });
  it('refuses anything else', () => {
    for (const c of ['', '-ABC', LINK, `AB${CLEAR}`, 'AB\nCD', 'ÄBC', 'A'.repeat(65), 'AB$(x)'])
      assert.ok(!isSafeUserCode(c), JSON.stringify(c));
  });
});
