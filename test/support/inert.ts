import assert from 'node:assert/strict';
import { SERVER_TEXT_MAX } from '../../src/protocol/serverText.js';

/** Nothing a terminal, a notification, a quick pick or a markdown renderer would treat as more than text. */
export function assertInert(s: string, max = SERVER_TEXT_MAX): void {
  assert.doesNotMatch(s, /[\x00-\x1f\x7f-\x9f]/, `control characters in ${JSON.stringify(s)}`);
  assert.doesNotMatch(s, /\]\(/, `a markdown link target in ${JSON.stringify(s)}`);
  assert.doesNotMatch(s, /command:[^\s]/i, `a command URI in ${JSON.stringify(s)}`);
  assert.ok([...s].length <= max, `${[...s].length} characters`);
}
