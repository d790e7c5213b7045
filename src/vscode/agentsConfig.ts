import * as z from 'zod/mini';
import type { ConfigProblem } from '../session/config/config.js';
import { describeIssues } from '../protocol/zodIssues.js';
import { EnvSchema, entryFields, must, parseEntries } from './settingsEntries.js';

/**
 * `agentAuth.agents`: language servers that get a provider's token. Each invalid entry is
 * reported (which entry, which field, why) and skipped; the valid ones still start.
 */

// Built on first use (z.lazy), not at load: most windows configure no agent.
const DocumentFilterSchema = z.lazy(() =>
  z.union([
    z.string().check(z.minLength(1, 'must be a non-empty language id')),
    z
      .object({
        language: z.optional(z.string()),
        scheme: z.optional(z.string()),
        pattern: z.optional(z.string()),
      })
      .check(z.refine((f) => !!(f.language || f.scheme || f.pattern), 'needs "language", "scheme" or "pattern"')),
  ]),
);

const AgentSchema = z.lazy(() =>
  z.object({
    ...entryFields,
    command: z.string(must('a string')).check(z.minLength(1, 'is required')),
    args: z.optional(z.array(z.string(must('a string')), must('an array of strings'))),
    documentSelector: z.optional(z.array(DocumentFilterSchema, must('an array of language ids or filters'))),
    env: z.optional(EnvSchema),
  }),
);

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
export function parseAgents(
  raw: unknown,
  providerIds: readonly string[],
): { agents: AgentConfig[]; problems: ConfigProblem[] } {
  const { entries, problems } = parseEntries<z.infer<typeof AgentSchema>, AgentConfig>(raw, providerIds, {
    setting: 'agentAuth.agents',
    noun: 'agent',
    parse: (entry) => {
      const r = AgentSchema.safeParse(entry);
      return r.success ? { value: r.data } : { problem: describeIssues(r.error.issues, entry, 'entry') };
    },
    clash: (a, agents) =>
      agents.some((b) => b.id === a.id) ? `id "${a.id}" is already used by an earlier entry` : undefined,
    build: (a) => ({
      id: a.id,
      provider: a.provider,
      command: a.command,
      args: a.args ?? [],
      documentSelector: a.documentSelector ?? [],
      env: a.env ?? {},
    }),
  });
  return { agents: entries, problems };
}
