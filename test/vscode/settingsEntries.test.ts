import assert from 'node:assert/strict';
import * as z from 'zod/mini';
import { ACCOUNT_REF_RULE, PROVIDER_ID_RULE } from '../../src/protocol/ids.js';
import { describeIssues } from '../../src/protocol/zodIssues.js';
import { EnvSchema, entryFields, parseEntries, type EntryRules } from '../../src/vscode/settingsEntries.js';

/** The shared part of agentAuth.agents and agentAuth.mcpServers, with the smallest entry that has it. */
const Entry = z.object({ ...entryFields, env: z.optional(EnvSchema) });
type Entry = z.infer<typeof Entry>;
const rules: EntryRules<Entry, Entry> = {
  setting: 'agentAuth.things',
  noun: 'thing',
  parse: (raw) => {
    const r = Entry.safeParse(raw);
    return r.success ? { value: r.data } : { problem: describeIssues(r.error.issues, raw) };
  },
  clash: (v, accepted) =>
    accepted.some((a) => a.id === v.id) ? `id "${v.id}" is already used by an earlier entry` : undefined,
  build: (v) => v,
};
const parse = (entries: unknown[]) => parseEntries(entries, ['acme', 'beta'], rules);
const problemOf = (entry: unknown) => {
  const { problems } = parse([entry]);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  return problems[0].message;
};

describe('settingsEntries', () => {
  it('accepts a provider or a provider@account reference', () => {
    const r = parse([
      { id: 'a', provider: 'acme' },
      { id: 'b', provider: 'beta@alice@example.com' },
      { id: 'c', provider: 'acme@bob+ci' },
    ]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.entries.map((e) => e.provider),
      ['acme', 'beta@alice@example.com', 'acme@bob+ci'],
    );
  });

  it('says what an account reference is when the provider field is none, instead of "not in agentAuth.providers"', () => {
    for (const provider of ['acme@a b', 'acme@', 'ac me', '@alice', 'acme@a/b']) {
      assert.equal(problemOf({ id: 'x', provider }), `provider ${ACCOUNT_REF_RULE}`, provider);
    }
    assert.equal(problemOf({ id: 'x', provider: '' }), 'provider is required');
    assert.equal(problemOf({ id: 'x' }), 'provider is required');
  });

  it('a well-formed reference to a provider that is not configured is reported as such', () => {
    assert.equal(
      problemOf({ id: 'x', provider: 'nobody@alice' }),
      'provider "nobody@alice" is not in agentAuth.providers (configured: "acme", "beta")',
    );
  });

  it('ids follow the provider id rule of src/protocol/ids.ts', () => {
    assert.equal(problemOf({ id: 'bad id!', provider: 'acme' }), `id ${PROVIDER_ID_RULE}`);
    assert.equal(problemOf({ id: 'a@b', provider: 'acme' }), `id ${PROVIDER_ID_RULE}`);
    assert.deepEqual(parse([{ id: 'a.b_c-1', provider: 'acme' }]).problems, []);
  });

  it('env: names must be variable names, and Agent Auth’s own variables are refused in any case', () => {
    assert.equal(
      problemOf({ id: 'x', provider: 'acme', env: { '1X': 'y' } }),
      'env.1X is not a valid environment variable name',
    );
    assert.equal(
      problemOf({ id: 'x', provider: 'acme', env: { ['A'.repeat(129)]: 'y' } }),
      `env.${'A'.repeat(129)} is not a valid environment variable name`,
    );
    assert.match(
      problemOf({ id: 'x', provider: 'acme', env: { agent_auth_nonce: 'y' } }),
      /^env\.agent_auth_nonce is set by Agent Auth itself/,
    );
    assert.deepEqual(parse([{ id: 'x', provider: 'acme', env: { _OK: '1', LOG_LEVEL: 'debug' } }]).problems, []);
  });
});
