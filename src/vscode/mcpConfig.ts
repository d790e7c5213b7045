import * as z from 'zod/mini';
import { describeIssues } from '../protocol/zodIssues.js';
import { isLoopbackHost } from '../protocol/urls.js';
import type { ConfigProblem } from '../session/config/config.js';
import { EnvSchema, entryFields, must, parseEntries } from './settingsEntries.js';

/**
 * `agentAuth.mcpServers`: MCP servers Agent Auth publishes to VS Code's MCP support, each with a
 * provider's token. HTTP entries have `url`, stdio entries `command`. Each invalid entry is
 * reported (which entry, which field, why) and skipped; the valid ones are still published.
 */

// The schemas are built on first use (z.lazy), not at load: most windows configure no MCP server.
const common = () => ({
  id: entryFields.id,
  label: z.optional(z.string(must('a string')).check(z.minLength(1, 'must not be empty'))),
  provider: entryFields.provider,
});

const HttpSchema = z.lazy(() =>
  z.strictObject({
    ...common(),
    url: z.string(must('a URL')).check(
      z.refine((u) => {
        try {
          const url = new URL(u);
          return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
        } catch {
          return false;
        }
      }, 'must be an https: URL (http: only on a loopback host)'),
    ),
  }),
);

const StdioSchema = z.lazy(() =>
  z.strictObject({
    ...common(),
    command: z.string(must('a string')).check(z.minLength(1, 'is required')),
    args: z.optional(z.array(z.string(must('a string')), must('an array of strings'))),
    env: z.optional(EnvSchema),
  }),
);

export type McpServerConfig =
  | { kind: 'http'; id: string; label: string; provider: string; url: string }
  | {
      kind: 'stdio';
      id: string;
      label: string;
      provider: string;
      command: string;
      args: string[];
      env: Record<string, string>;
    };

export function parseMcpServers(
  raw: unknown,
  providerIds: readonly string[],
): { servers: McpServerConfig[]; problems: ConfigProblem[] } {
  const { entries, problems } = parseEntries<z.infer<typeof HttpSchema> | z.infer<typeof StdioSchema>, McpServerConfig>(
    raw,
    providerIds,
    {
      setting: 'agentAuth.mcpServers',
      noun: 'server',
      parse: (entry) => {
        const isHttp = !!entry && typeof entry === 'object' && 'url' in entry;
        if (isHttp && 'command' in entry) return { problem: 'has both "url" (HTTP) and "command" (stdio); keep one' };
        const r = isHttp ? HttpSchema.safeParse(entry) : StdioSchema.safeParse(entry);
        return r.success ? { value: r.data } : { problem: describeIssues(r.error.issues, entry, 'entry') };
      },
      clash: (d, servers) => {
        const label = d.label ?? d.id;
        // VS Code tells an extension's servers apart by label.
        const clash = servers.find((s) => s.id === d.id || s.label === label);
        if (!clash) return undefined;
        return clash.id === d.id
          ? `id "${d.id}" is already used by an earlier entry`
          : `label "${label}" is already used by an earlier entry`;
      },
      build: (d) => {
        const label = d.label ?? d.id;
        return 'url' in d
          ? { kind: 'http', id: d.id, label, provider: d.provider, url: d.url }
          : {
              kind: 'stdio',
              id: d.id,
              label,
              provider: d.provider,
              command: d.command,
              args: d.args ?? [],
              env: d.env ?? {},
            };
      },
    },
  );
  return { servers: entries, problems };
}
