import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_CERTIFICATE, README_PROXY, README_PROXY_AUTH } from '../../src/protocol/messages.js';

/** Error messages send the user to a README section by its name: that section must exist under that name. */
describe('protocol: README sections named by error messages', () => {
  const headings = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim());

  for (const pointer of [README_CERTIFICATE, README_PROXY, README_PROXY_AUTH]) {
    it(`has a heading for: ${pointer}`, () => {
      const name = /"([^"]+)"/.exec(pointer)?.[1];
      assert.ok(name, `no quoted section name in "${pointer}"`);
      assert.ok(headings.includes(name), `README.md has no heading "${name}" (headings: ${headings.join(' | ')})`);
    });
  }
});
