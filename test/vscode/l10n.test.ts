import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';

/** l10n/bundle.l10n.json is what translators start from: it must hold every string the code localizes. */
describe('l10n bundle', () => {
  it('matches the strings in src (run `npm run l10n` after changing one)', async () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ contents: readFileSync(join('src', f), 'utf8'), extension: '.ts' }));
    const extracted = await getL10nJson(files);
    assert.ok(Object.keys(extracted).length > 50, 'the extractor found the l10n.t calls');
    assert.deepEqual(JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8')), extracted);
  });
});
