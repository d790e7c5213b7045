import assert from 'node:assert/strict';
import { LineInput, toTerminalText } from '../../src/vscode/lineInput.js';

describe('LineInput (task pseudoterminal)', () => {
  it('echoes typing and sends whole lines on Enter', () => {
    const li = new LineInput();
    assert.deepEqual(li.feed('ye'), { echo: 'ye', send: '', interrupt: false, eof: false });
    assert.deepEqual(li.feed('s\r'), { echo: 's\r\n', send: 'yes\n', interrupt: false, eof: false });
  });

  it('handles a pasted block with CRLF or LF line ends as separate lines', () => {
    assert.equal(new LineInput().feed('a\r\nb\nc\r').send, 'a\nb\nc\n');
  });

  it('edits with Backspace, one character (not UTF-16 unit) at a time', () => {
    const li = new LineInput();
    const r = li.feed('ab😀\x7f\x7fc\x7f\x7f\x7fz\r');
    assert.equal(r.send, 'z\n');
    assert.equal(r.echo, 'ab😀\b \b\b \bc\b \b\b \bz\r\n', 'a Backspace on an empty line echoes nothing');
  });

  it('turns Ctrl+C into an interrupt and drops the pending line', () => {
    const li = new LineInput();
    const r = li.feed('abc\x03');
    assert.equal(r.interrupt, true);
    assert.equal(r.send, '');
    assert.equal(li.feed('\r').send, '\n');
  });

  it('reports Ctrl+D only on an empty line', () => {
    const li = new LineInput();
    assert.equal(li.feed('x\x04').eof, false);
    assert.equal(li.feed('\r\x04').eof, true);
  });

  it('ignores escape sequences (arrows, F-keys) and other control characters', () => {
    const r = new LineInput().feed('a\x1b[A\x1b[1;5C\x1bOPb\x07\x1b\r');
    assert.deepEqual(r, { echo: 'ab\r\n', send: 'ab\n', interrupt: false, eof: false });
  });

  it('converts child output line ends for the terminal', () => {
    assert.equal(toTerminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });
});
