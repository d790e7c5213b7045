import vscode = require('vscode');
import { providerForGitRemote } from '../session/consumers/gitRemote.js';
import { MIN_VALIDITY_S } from '../session/config/validity.js';
import type { Glue } from './glue.js';

/** The part of the built-in git extension's API (`vscode.git`, API version 1) used here. */
interface GitApi {
  registerCredentialsProvider(provider: {
    getCredentials(host: vscode.Uri): Promise<{ username: string; password: string } | undefined>;
  }): vscode.Disposable;
}

/**
 * git run by VS Code itself (Source Control view, sync, auto-fetch) asks the git extension for
 * credentials; this answers for the git hosts of the configured providers with the fresh token
 * as the password (user `oauth2`, as the helper's git-credential mode). Registered in the
 * background once a provider is configured, so activation never waits for the git extension.
 */
export function registerGitCredentials(g: Glue): vscode.Disposable {
  let registration: vscode.Disposable | undefined;
  let started = false;
  const start = () => {
    if (started || g.service.getProviders().length === 0) return;
    started = true;
    void gitApi().then(
      (api) => {
        if (!api)
          return g.log.info(
            'The git extension is not available; git in the Source Control view gets no tokens from Agent Auth.',
          );
        registration = api.registerCredentialsProvider({ getCredentials: (host) => gitCredentials(g, host) });
        g.log.info("Answering git credential requests from the Source Control view for the providers' git hosts.");
      },
      (err: Error) =>
        g.log.warn(
          `The git extension's API is unavailable (${err.message}); git in the Source Control view gets no tokens from Agent Auth.`,
        ),
    );
  };
  start();
  const watch = vscode.workspace.onDidChangeConfiguration(
    (e) => e.affectsConfiguration('agentAuth.providers') && setTimeout(start, 0),
  );
  return {
    dispose: () => {
      watch.dispose();
      registration?.dispose();
    },
  };
}

async function gitApi(): Promise<GitApi | undefined> {
  const ext = vscode.extensions.getExtension<{
    enabled: boolean;
    getAPI(v: 1): GitApi;
    onDidChangeEnablement(l: (e: boolean) => void): vscode.Disposable;
  }>('vscode.git');
  if (!ext) return undefined;
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports.enabled) {
    await new Promise<void>((resolve) => {
      const sub = exports.onDidChangeEnablement((on) => on && (sub.dispose(), resolve()));
    });
  }
  return exports.getAPI(1);
}

/** What the git extension gets for a remote `host` (scheme://authority): the token for a provider's git host, else nothing. */
export async function gitCredentials(
  g: Glue,
  host: vscode.Uri,
): Promise<{ username: string; password: string } | undefined> {
  // The remote comes from the workspace's own .git/config: an untrusted workspace gets nothing.
  if (!vscode.workspace.isTrusted) return undefined;
  const remote = `${host.scheme}://${host.authority.replace(/^.*@/, '')}`;
  const provider = providerForGitRemote(g.service.getProviders(), remote);
  if (!provider) return undefined;
  try {
    const t = await g.service.getAccessToken(g.accounts.defaultLane(provider.id), {
      minValiditySeconds: MIN_VALIDITY_S,
    });
    g.log.info(`Gave git a token of "${provider.id}" for ${remote}.`);
    return { username: 'oauth2', password: t.accessToken };
  } catch (err) {
    // The git extension then asks the user, as it would without us.
    g.log.warn(`No token of "${provider.id}" for git at ${remote}: ${(err as Error).message}`);
    return undefined;
  }
}
