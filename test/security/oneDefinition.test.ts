import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VAR_NAME } from '../../src/protocol/envVars.js';
import { PROVIDER_ID } from '../../src/protocol/ids.js';

/**
 * One definition per rule: the patterns, env-var names and minimum validity live in one module
 * each; package.json's schema and the clients in bin/ (which cannot import them) hold copies that
 * must agree, and no other source file defines the rule again.
 */

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
/** The src/ files, other than `home`, whose text matches `re`. */
const definedOutside = (home: string, re: RegExp) =>
  sources('src').filter((f) => f !== join('src', home) && re.test(readFileSync(f, 'utf8')));

type Schema = { pattern?: string; properties?: Record<string, Schema>; items?: Schema };

describe('one definition per rule', () => {
  const props: Record<string, Schema> = JSON.parse(readFileSync('package.json', 'utf8')).contributes.configuration
    .properties;
  const field = (setting: string, name: string) => props[setting].items!.properties![name];

  it('package.json: every id pattern is PROVIDER_ID, the envVar pattern is ENV_VAR_NAME', () => {
    for (const setting of ['agentAuth.providers', 'agentAuth.agents', 'agentAuth.mcpServers'])
      assert.equal(field(setting, 'id').pattern, PROVIDER_ID.source, setting);
    assert.equal(field('agentAuth.providers', 'envVar').pattern, ENV_VAR_NAME.source);
  });

  it('bin/agent-auth-token.js checks the variable name with a copy of ENV_VAR_NAME', () => {
    assert.ok(readFileSync('bin/agent-auth-token.js', 'utf8').includes(`/${ENV_VAR_NAME.source}/`));
  });

  it('no other source file defines the variable-name pattern, the default variable name or the AGENT_AUTH_ prefix rule', () => {
    assert.deepEqual(definedOutside('protocol/envVars.ts', /\[A-Za-z_\]\[A-Za-z0-9_\]/), []);
    assert.deepEqual(definedOutside('protocol/envVars.ts', /_TOKEN`/), []);
    assert.deepEqual(definedOutside('protocol/envVars.ts', /\/\^AGENT_AUTH_|\|AGENT_AUTH_\\w/), []);
  });

  it('no other source file defines the provider id pattern', () => {
    assert.deepEqual(definedOutside('protocol/ids.ts', /\[A-Za-z0-9\]\[A-Za-z0-9\._-\]\{0,63\}/), []);
  });

  it('no other source file defines a minimum validity (src/session/config/validity.ts)', () => {
    assert.deepEqual(
      definedOutside('session/config/validity.ts', /MIN_VALIDITY_\w* =|minValiditySeconds: \d|Math\.min\([^)]*\/ 2\)/),
      [],
    );
  });
});
