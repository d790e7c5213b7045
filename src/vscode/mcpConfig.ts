import * as z from 'zod/mini';
import { parseAccountRef } from '../protocol/ids.js';
import { describeIssues } from '../protocol/zodIssues.js';
import { isLoopbackHost } from '../protocol/urls.js';
import type { ConfigProblem } from '../session/config.js';
import { EnvSchema } from './agentsConfig.js';

/**
 * `agentAuth.mcpServers`: MCP servers Agent Auth publishes to VS Code's MCP support, each with a
 * provider's token. HTTP entries have `url`, stdio entries `command`. Each invalid entry is
 * reported (which entry, which field, why) and skipped; the valid ones are still published.
 */

const must = (what: string) => ({ error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : `must be ${what}`) });

const common = {
  id: z.string(must('a string')).check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')),
  label: z.optional(z.string(must('a string')).check(z.minLength(1, 'must not be empty'))),
  provider: z.string(must('a provider id from agentAuth.providers (optionally @account)')).check(z.minLength(1, 'is required')),
};

const HttpSchema = z.strictObject({
  ...common,
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
});

const StdioSchema = z.strictObject({
  ...common,
  command: z.string(must('a string')).check(z.minLength(1, 'is required')),
  args: z.optional(z.array(z.string(must('a string')), must('an array of strings'))),
  env: z.optional(EnvSchema),
});

export type McpServerConfig =
  | { kind: 'http'; id: string; label: string; provider: string; url: string }
  | { kind: 'stdio'; id: string; label: string; provider: string; command: string; args: string[]; env: Record<string, string> };

export function parseMcpServers(raw: unknown, providerIds: readonly string[]): { servers: McpServerConfig[]; problems: ConfigProblem[] } {
  const servers: McpServerConfig[] = [];
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { servers, problems };
  if (!Array.isArray(raw)) return { servers, problems: [{ where: 'agentAuth.mcpServers', message: 'must be an array of server objects' }] };
  raw.forEach((entry, i) => {
    const id = typeof entry?.id === 'string' ? ` ("${entry.id}")` : '';
    const where = `agentAuth.mcpServers[${i}]${id}`;
    const isHttp = entry && typeof entry === 'object' && 'url' in entry;
    if (isHttp && 'command' in entry) {
      problems.push({ where, message: 'has both "url" (HTTP) and "command" (stdio); keep one' });
      return;
    }
    const r = isHttp ? HttpSchema.safeParse(entry) : StdioSchema.safeParse(entry);
    if (!r.success) {
      problems.push({ where, message: describeIssues(r.error.issues, entry, 'entry') });
      return;
    }
    const d = r.data;
    if (!providerIds.includes(parseAccountRef(d.provider)?.providerId ?? d.provider)) {
      const known = providerIds.length ? providerIds.map((p) => `"${p}"`).join(', ') : 'none';
      problems.push({ where, message: `provider "${d.provider}" is not in agentAuth.providers (configured: ${known})` });
      return;
    }
    const label = d.label ?? d.id;
    // VS Code tells an extension's servers apart by label.
    const clash = servers.find((s) => s.id === d.id || s.label === label);
    if (clash) {
      problems.push({ where, message: clash.id === d.id ? `id "${d.id}" is already used by an earlier entry` : `label "${label}" is already used by an earlier entry` });
      return;
    }
    servers.push(
      'url' in d
        ? { kind: 'http', id: d.id, label, provider: d.provider, url: d.url }
        : { kind: 'stdio', id: d.id, label, provider: d.provider, command: d.command, args: d.args ?? [], env: d.env ?? {} },
    );
  });
  return { servers, problems };
}
