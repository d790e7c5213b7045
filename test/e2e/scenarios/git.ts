import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { GitRemote } from '../gitRemote.js';
import type { Scenario } from '../runner.js';
import { until, type World } from '../world.js';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.test', ...args], {
    encoding: 'utf8',
  }).trim();
const revParse = (dir: string, ref: string) => {
  try {
    return git(dir, 'rev-parse', '--verify', '-q', ref);
  } catch {
    return undefined;
  }
};

/**
 * Before the window opens: the remote holds `main` (one commit); the workspace's `repo/` is a
 * clone of it whose origin is the HTTP remote and which is one commit ahead; then the remote gets a
 * branch `other` that only a fetch can bring.
 */
export function seedGitRepos(remote: GitRemote, workspaceDir: string, scratch: string): { repo: string } {
  const seed = join(scratch, 'seed');
  execFileSync('git', ['init', '-q', '-b', 'main', seed]);
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'first');
  git(seed, 'push', '-q', remote.bareDir, 'main');
  const repo = join(workspaceDir, 'repo');
  execFileSync('git', ['clone', '-q', remote.bareDir, repo]);
  git(repo, 'remote', 'set-url', 'origin', remote.url);
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'made in the workspace');
  git(seed, 'switch', '-q', '-c', 'other');
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'only on the remote');
  git(seed, 'push', '-q', remote.bareDir, 'other');
  return { repo };
}

/** git run by VS Code itself (F1 "Git: Fetch", "Git: Push") authenticates to the remote with the provider's token. */
export function gitFromSourceControl(w: World, remote: GitRemote, repo: string): Scenario {
  const authorized = () => remote.log.filter((r) => r.active);
  return {
    name: 'git-source-control',
    needs: ['auth-code-sign-in'],
    async run(step) {
      const other = git(remote.bareDir, 'rev-parse', 'other');
      await step('Git: Fetch brings the remote-only branch', async () => {
        await w.wb.runCommand('Git: Fetch');
        await until(
          'refs/remotes/origin/other in the workspace repository',
          async () => revParse(repo, 'refs/remotes/origin/other') === other,
          {
            timeoutMs: 30_000,
            seen: async () => JSON.stringify(remote.log.slice(-4)),
          },
        );
      });
      const local = git(repo, 'rev-parse', 'main');
      await step('Git: Push updates the remote', async () => {
        await w.wb.runCommand('Git: Push');
        await until(
          'the remote main at the workspace commit',
          async () => git(remote.bareDir, 'rev-parse', 'main') === local,
          {
            timeoutMs: 30_000,
            seen: async () => JSON.stringify(remote.log.slice(-4)),
          },
        );
      });
      await step('the remote let git in with a token the IdP accepts, as user oauth2', async () => {
        const ok = authorized();
        const pushed = ok.some((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack') && r.status === 200);
        const fetched = ok.some((r) => r.method === 'POST' && r.path.endsWith('/git-upload-pack') && r.status === 200);
        if (!pushed || !fetched)
          throw new Error(`no authorized fetch and push in the remote's log: ${JSON.stringify(remote.log)}`);
        const refused = remote.log.filter((r) => r.tokenSha && !r.active);
        if (refused.length) throw new Error(`git sent passwords the IdP does not accept: ${JSON.stringify(refused)}`);
        const users = [...new Set(ok.map((r) => r.user))];
        if (users.join() !== 'oauth2') throw new Error(`git authenticated as ${users.join(', ')}`);
      });
      step.note(
        `remote log: ${authorized().length} authorized requests, tokens sha256 ${[...new Set(authorized().map((r) => r.tokenSha))].join(', ')}`,
      );
    },
  };
}
