import * as z from 'zod/mini';
import { ENV_VAR_NAME, OWN_ENV_VAR } from '../protocol/envVars.js';
import { ACCOUNT_REF, ACCOUNT_REF_RULE, parseAccountRef, PROVIDER_ID, PROVIDER_ID_RULE } from '../protocol/ids.js';
import type { ConfigProblem } from '../session/config/config.js';

/**
 * What `agentAuth.agents` and `agentAuth.mcpServers` share: entries with an `id` that each name a
 * configured provider. Each invalid entry is reported (which entry, which field, why) and skipped;
 * the valid ones are still used. Free of `vscode`.
 */

/** A zod error message: "is required" for a missing field, "must be <what>" for a wrong one. */
export const must = (what: string) => ({
  error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : `must be ${what}`),
});

// The schemas are built on first use (z.lazy), not at load: most windows configure no agent or MCP server.
export const entryFields = {
  id: z.lazy(() => z.string(must('a string')).check(z.regex(PROVIDER_ID, PROVIDER_ID_RULE))),
  // Checked here, so that "acme@a b" is told what an account reference is, not that it names no configured provider.
  provider: z.lazy(() =>
    z
      .string(must('a provider id from agentAuth.providers (optionally @account)'))
      .check(z.minLength(1, { error: 'is required', abort: true }), z.regex(ACCOUNT_REF, ACCOUNT_REF_RULE)),
  ),
};

export const EnvSchema = z.lazy(() =>
  z.record(z.string(), z.string(must('a string')), must('an object of variable names to strings')).check(
    z.superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        const message = !ENV_VAR_NAME.test(name)
          ? 'is not a valid environment variable name'
          : // Ours are set after the entry's own, so an override would be silently lost: say so instead.
            OWN_ENV_VAR.test(name)
            ? 'is set by Agent Auth itself (AGENT_AUTH_* variables cannot be overridden)'
            : undefined;
        if (message) ctx.addIssue({ code: 'custom', message, path: [name], input: env });
      }
    }),
  ),
);

export interface EntryRules<T extends { provider: string }, R> {
  /** The setting's name, as problems name it: `agentAuth.agents`. */
  setting: string;
  /** What one entry is, for "must be an array of <noun> objects". */
  noun: string;
  /** One entry, validated: its value, or why it is invalid. */
  parse(entry: unknown): { value: T } | { problem: string };
  /** Why the entry clashes with one accepted earlier, if it does. */
  clash(value: T, accepted: readonly R[]): string | undefined;
  /** The entry as the rest of the extension uses it. */
  build(value: T): R;
}

/**
 * Parses an array setting of entries: each is validated, must name one of `providerIds` (a provider or `provider@account`), and must
 * not clash with an earlier one. Missing (undefined or null) is an empty list.
 */
export function parseEntries<T extends { provider: string }, R>(
  raw: unknown,
  providerIds: readonly string[],
  rules: EntryRules<T, R>,
): { entries: R[]; problems: ConfigProblem[] } {
  const entries: R[] = [];
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { entries, problems };
  if (!Array.isArray(raw))
    return { entries, problems: [{ where: rules.setting, message: `must be an array of ${rules.noun} objects` }] };
  raw.forEach((entry: unknown, i) => {
    const named = entry as { id?: unknown } | null | undefined;
    const id = typeof named?.id === 'string' ? ` ("${named.id}")` : '';
    const where = `${rules.setting}[${i}]${id}`;
    const r = rules.parse(entry);
    if ('problem' in r) {
      problems.push({ where, message: r.problem });
      return;
    }
    const v = r.value;
    if (!providerIds.includes(parseAccountRef(v.provider)?.providerId ?? v.provider)) {
      const known = providerIds.length ? providerIds.map((p) => `"${p}"`).join(', ') : 'none';
      problems.push({
        where,
        message: `provider "${v.provider}" is not in agentAuth.providers (configured: ${known})`,
      });
      return;
    }
    const clash = rules.clash(v, entries);
    if (clash) {
      problems.push({ where, message: clash });
      return;
    }
    entries.push(rules.build(v));
  });
  return { entries, problems };
}
