import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileName } from '../fixtures/idpProfiles.js';

/**
 * The README's provider recipes, read from the README itself so the documentation and the tests
 * cannot drift: each is the ```json block right after `<!-- recipe: <profile> -->`.
 */
export function readmeRecipe(profile: ProfileName): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const m = new RegExp(`<!-- recipe: ${profile} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m) throw new Error(`README.md has no recipe block for ${profile}`);
  return m[1]!;
}

/** The recipe with only its placeholders replaced (host, tenant, client id, fixed port), as parsed JSON. */
export function recipeEntry(profile: ProfileName, placeholders: Record<string, string>): Record<string, unknown> {
  let text = readmeRecipe(profile);
  for (const [from, to] of Object.entries(placeholders)) text = text.split(from).join(to);
  return JSON.parse(text) as Record<string, unknown>;
}
