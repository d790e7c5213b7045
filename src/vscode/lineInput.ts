/**
 * A task's child process reads pipes, not a TTY, so nothing echoes keystrokes or turns Ctrl+C into
 * a signal. This small line discipline does both for the task's Pseudoterminal: it echoes what is
 * typed, supports Backspace, sends whole lines to stdin, and reports Ctrl+C and Ctrl+D.
 */
export interface InputResult {
  /** Text to write to the terminal. */
  echo: string;
  /** Text to write to the child's stdin. */
  send: string;
  interrupt: boolean;
  /** Ctrl+D on an empty line: close the child's stdin. */
  eof: boolean;
}

// ESC, an optional CSI/SS3 introducer, parameters, one final byte: arrow keys, Home, F-keys...
const ESCAPE_SEQUENCE = /^\x1b(?:\[[0-9;?]*[@-~]|O.|.)?/;

export class LineInput {
  private line = '';

  feed(data: string): InputResult {
    const out: InputResult = { echo: '', send: '', interrupt: false, eof: false };
    for (let i = 0; i < data.length;) {
      const ch = data[i];
      if (ch === '\x1b') {
        i += ESCAPE_SEQUENCE.exec(data.slice(i))![0].length;
        continue;
      }
      i++;
      if (ch === '\r' || ch === '\n') {
        if (ch === '\n' && data[i - 2] === '\r') continue;
        out.send += this.line + '\n';
        out.echo += '\r\n';
        this.line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line) {
          this.line = [...this.line].slice(0, -1).join('');
          out.echo += '\b \b';
        }
      } else if (ch === '\x03') {
        out.interrupt = true;
        out.echo += '^C\r\n';
        this.line = '';
      } else if (ch === '\x04') {
        if (!this.line) out.eof = true;
      } else if (ch >= ' ') {
        this.line += ch;
        out.echo += ch;
      }
    }
    return out;
  }
}

/** Child output uses bare "\n"; a terminal needs "\r\n" to return to the first column. */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
