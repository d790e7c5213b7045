/**
 * Text an identity provider sent us (error_description, account names, user codes, header values…)
 * is hostile input. It may carry terminal escapes that repaint a terminal or plant a hyperlink
 * (OSC 8), markdown links that VS Code renders as clickable in notifications (`[Fix it now](command:…)`),
 * bidi overrides that reorder what the user reads, or megabytes of text. `serverText` is the one
 * place that turns such a string into plain, short, inert text; it is applied where server text
 * enters (oauthErrors.ts, deviceCode.ts, signIn.ts), so nothing later has to remember it.
 */

/** About three lines of a notification. */
export const SERVER_TEXT_MAX = 300;
/** A whole message of ours that quotes server text (already capped at SERVER_TEXT_MAX). */
export const NOTIFICATION_MAX = 600;

/**
 * Escape sequences, removed whole (ECMA-48): CSI (ESC [ or 0x9B … final byte), OSC/DCS/SOS/PM/APC
 * strings (ESC ] P X ^ _ or their C1 forms, up to BEL or ST, or to the end when unterminated), and
 * two-byte ESC sequences.
 */
const ESCAPES =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
/** C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text. */
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g;
/** `](` starts the target of a markdown link; a space in between leaves only brackets and parentheses. */
const LINK_TARGET = /\]\s*\(/g;
/** A `command:` URI (VS Code runs the command when such a link is clicked), in any case. */
const COMMAND_URI = /\b(command):(?=\S)/gi;
/** `$(name)` is an icon in quick picks and status bar text. */
const ICON = /\$\(/g;

/**
 * Plain, single-line, inert text of at most `max` characters: escape sequences and control
 * characters removed, whitespace collapsed, markdown link targets, `command:` URIs and icon
 * syntax broken up. Meant for display only (never for comparing or storing protocol values).
 */
export function serverText(value: unknown, max = SERVER_TEXT_MAX): string {
  if (value === undefined || value === null) return '';
  // Whatever a server sent is shown as String() shows it, an object's own toString included.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  let s = typeof value === 'string' ? value : String(value);
  // Bound the work before any regex runs: escapes can only make the shown text shorter.
  if (s.length > 64 * max) s = s.slice(0, 64 * max);
  s = s
    .replace(ESCAPES, '')
    .replace(CONTROLS, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(LINK_TARGET, '] (')
    .replace(COMMAND_URI, '$1: ')
    .replace(ICON, '$ (');
  const chars = [...s];
  return chars.length > max
    ? `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`
    : s;
}

/** RFC 8628 §6.1: user codes are short strings of letters and digits, optionally grouped with "-" or spaces. */
const USER_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{0,63}$/;

export function isSafeUserCode(code: string): boolean {
  return USER_CODE.test(code);
}
