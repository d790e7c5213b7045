import * as z from 'zod/mini';
import { parseAccountRef } from '../protocol/ids.js';
import type { ConfigProblem } from '../session/config.js';
import { describeIssues } from '../protocol/zodIssues.js';

/**
 * `agentAuth.agents`: language servers that get a provider's token. Each invalid entry is
 * reported (which entry, which field, why) and skipped; the valid ones still start.
 */

const must = (what: string) => ({ error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : `must be ${what}`) });

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const EnvSchema = z.record(z.string(), z.string(must('a string')), must('an object of variable names to strings')).check(
  z.superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      const message = !ENV_NAME.test(name)
        ? 'is not a valid environment variable name'
        : // Ours are set after the entry's own, so an override would be silently lost: say so instead.
          /^AGENT_AUTH_/i.test(name)
          ? 'is set by Agent Auth itself (AGENT_AUTH_* variables cannot be overridden)'
          : undefined;
      if (message) ctx.addIssue({ code: 'custom', message, path: [name], input: env });
    }
  }),
);

const DocumentFilterSchema = z.union([
  z.string().check(z.minLength(1, 'must be a non-empty language id')),
  z
    .object({
      language: z.optional(z.string()),
      scheme: z.optional(z.string()),
      pattern: z.optional(z.string()),
    })
    .check(z.refine((f) => !!(f.language || f.scheme || f.pattern), 'needs "language", "scheme" or "pattern"')),
]);

const AgentSchema = z.object({
  id: z.string(must('a string')).check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')),
  provider: z.string(must('a provider id from agentAuth.providers (optionally @account)')).check(z.minLength(1, 'is required')),
  command: z.string(must('a string')).check(z.minLength(1, 'is required')),
  args: z.optional(z.array(z.string(must('a string')), must('an array of strings'))),
  documentSelector: z.optional(z.array(DocumentFilterSchema, must('an array of language ids or filters'))),
  env: z.optional(EnvSchema),
});

export type DocumentFilter = z.infer<typeof DocumentFilterSchema>;

export interface AgentConfig {
  id: string;
  /** A provider id from agentAuth.providers. */
  provider: string;
  command: string;
  args: string[];
  documentSelector: DocumentFilter[];
  env: Record<string, string>;
}

/** `providerIds`: the configured providers; an agent naming another one is reported, not started. */
export function parseAgents(raw: unknown, providerIds: readonly string[]): { agents: AgentConfig[]; problems: ConfigProblem[] } {
  const agents: AgentConfig[] = [];
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { agents, problems };
  if (!Array.isArray(raw)) return { agents, problems: [{ where: 'agentAuth.agents', message: 'must be an array of agent objects' }] };
  raw.forEach((entry, i) => {
    const id = typeof entry?.id === 'string' ? ` ("${entry.id}")` : '';
    const where = `agentAuth.agents[${i}]${id}`;
    const r = AgentSchema.safeParse(entry);
    if (!r.success) {
      problems.push({ where, message: describeIssues(r.error.issues, entry, 'entry') });
      return;
    }
    const a = r.data;
    if (!providerIds.includes(parseAccountRef(a.provider)?.providerId ?? a.provider)) {
      const known = providerIds.length ? providerIds.map((p) => `"${p}"`).join(', ') : 'none';
      problems.push({ where, message: `provider "${a.provider}" is not in agentAuth.providers (configured: ${known})` });
      return;
    }
    if (agents.some((b) => b.id === a.id)) {
      problems.push({ where, message: `id "${a.id}" is already used by an earlier entry` });
      return;
    }
    agents.push({ id: a.id, provider: a.provider, command: a.command, args: a.args ?? [], documentSelector: a.documentSelector ?? [], env: a.env ?? {} });
  });
  return { agents, problems };
}
