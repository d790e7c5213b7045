import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod/mini';
import { describeIssues } from '../protocol/zodIssues.js';

/**
 * The "agent-auth" task type's definition and how a run is set up from it, free of `vscode` so
 * it can be tested alone. `command` is an executable, not a shell line: arguments go in `args`.
 */

const must = (what: string) => ({
  error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : `must be ${what}`),
});

/** Built on first use (z.lazy), not at load: a window resolves a task only when one runs. */
const TaskDefinitionSchema = z.lazy(() =>
  z.object({
    type: z.literal('agent-auth'),
    provider: z.string(must('a provider id')).check(z.minLength(1, 'is required')),
    command: z.string(must('a string')).check(z.minLength(1, 'is required')),
    args: z.optional(z.array(z.string(must('a string')), must('an array of strings'))),
    cwd: z.optional(z.string(must('a string'))),
  }),
);

export interface AgentTaskDefinition {
  type: 'agent-auth';
  provider: string;
  command: string;
  args: string[];
  cwd?: string;
}

export function parseTaskDefinition(
  raw: unknown,
): { ok: true; definition: AgentTaskDefinition } | { ok: false; message: string } {
  const r = TaskDefinitionSchema.safeParse(raw);
  if (!r.success) return { ok: false, message: describeIssues(r.error.issues, raw, 'the definition') };
  return { ok: true, definition: { ...r.data, args: r.data.args ?? [] } };
}

/** A relative `cwd` is taken from the task's workspace folder; without either, the command runs in `fallback`. */
export function resolveCwd(cwd: string | undefined, folder: string | undefined, fallback: string): string {
  if (cwd && isAbsolute(cwd)) return cwd;
  const base = folder ?? fallback;
  return cwd ? resolve(base, cwd) : base;
}
