import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileName } from '../fixtures/idpProfiles.js';

const RECIPES = join(__dirname, '..', '..', 'docs', 'identity-providers.md');

/**
 * The provider recipes of docs/identity-providers.md, read from that page itself so the
 * documentation and the tests cannot drift: each is the ```json block right after
 * `<!-- recipe: <profile> -->`.
 */
export function recipeBlock(profile: ProfileName): string {
  const page = readFileSync(RECIPES, 'utf8');
  const m = new RegExp(`<!-- recipe: ${profile} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(page);
  if (!m) throw new Error(`docs/identity-providers.md has no recipe block for ${profile}`);
  return m[1];
}

/** The recipe with only its placeholders replaced (host, tenant, client id, fixed port), as parsed JSON. */
export function recipeEntry(profile: ProfileName, placeholders: Record<string, string>): Record<string, unknown> {
  let text = recipeBlock(profile);
  for (const [from, to] of Object.entries(placeholders)) text = text.split(from).join(to);
  return JSON.parse(text) as Record<string, unknown>;
}
