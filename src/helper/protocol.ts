/**
 * The token helper's wire protocol: HTTP/1.x over the local socket, so `curl --unix-socket`, a
 * few lines of Perl and Node's own http client all speak it. One request per connection:
 *
 *   GET /v1/token?format=raw|git|kubectl|exec[&provider=ID[@ACCOUNT]][&api=v1|v1beta1][&token=id][&protocol=P&host=H]
 *   X-Agent-Auth-Nonce: <the window's nonce>
 *
 * 200 carries the finished output (the client prints it as is); any other status carries a
 * one-line message for stderr. Formatting lives here, once, instead of in every client.
 */

import { defaultEnvVar, ENV_VAR_NAME } from '../protocol/envVars.js';
import { ACCOUNT_REF } from '../protocol/ids.js';
import { isLoopbackHost } from '../protocol/urls.js';

export const TOKEN_PATH = '/v1/token';
export const NONCE_HEADER = 'x-agent-auth-nonce';

export type Format = 'raw' | 'git' | 'kubectl' | 'exec';
const FORMATS: readonly string[] = ['raw', 'git', 'kubectl', 'exec'];
const KUBE_APIS: readonly string[] = ['v1', 'v1beta1'];
/** Which token: the access token (default) or the OpenID Connect ID token (raw and kubectl only, as kubelogin prints it). */
export type TokenKind = 'access' | 'id';
const ID_TOKEN_FORMATS: readonly string[] = ['raw', 'kubectl'];

/** RFC 6750 b64token and friends: printable ASCII without spaces, so no output format can be broken by a token. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

export interface TokenRequest {
  format: Format;
  providerId?: string;
  kubeApi: string;
  kind: TokenKind;
  /** format=git: what git asks a password for (its `protocol` and `host` attributes). */
  git?: { protocol: string; host: string };
}

export interface IssuedToken {
  providerId: string;
  /** The provider or account in words for messages (`Acme (acme@bob)`; never a lane id such as `acme#2`); default providerId. */
  name?: string;
  /** The token to print: the access token, or for `token=id` the ID token. */
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  envVar?: string;
  /** Hosts (host[:port], lower case) git may send this token to: gitHostsOf(provider). */
  gitHosts?: string[];
}

/** A refusal whose message is shown to the user as is; `status` is the HTTP status sent. */
export class HelperError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseTokenRequest(url: string): TokenRequest {
  const u = new URL(url, 'http://agent-auth');
  if (u.pathname !== TOKEN_PATH) throw new HelperError(404, `Agent Auth: unknown request ${u.pathname}.`);
  const format = u.searchParams.get('format') ?? 'raw';
  if (!FORMATS.includes(format)) throw new HelperError(400, `Agent Auth: unknown output format "${format}".`);
  const providerId = u.searchParams.get('provider') ?? undefined;
  if (providerId !== undefined && !ACCOUNT_REF.test(providerId)) {
    throw new HelperError(
      400,
      'Agent Auth: a provider is named by its id (1-64 letters, digits, ".", "_" or "-"), optionally followed by "@" and an account (e.g. acme@alice).',
    );
  }
  const kubeApi = u.searchParams.get('api') ?? 'v1';
  if (!KUBE_APIS.includes(kubeApi))
    throw new HelperError(400, `Agent Auth: unsupported ExecCredential version "${kubeApi}".`);
  const token = u.searchParams.get('token') ?? 'access';
  if (token !== 'access' && token !== 'id') throw new HelperError(400, `Agent Auth: unknown token kind "${token}".`);
  if (token === 'id' && !ID_TOKEN_FORMATS.includes(format)) {
    throw new HelperError(
      400,
      'Agent Auth: the ID token is printed as is or as an ExecCredential (kubectl), not in other formats.',
    );
  }
  if (format !== 'git') return { format: format as Format, providerId, kubeApi, kind: token };
  const protocol = u.searchParams.get('protocol');
  const host = u.searchParams.get('host');
  if (!protocol || !host)
    throw new HelperError(
      400,
      'Agent Auth: git-credential needs the protocol and host git asks for (update agent-auth-token: open a new terminal).',
    );
  return { format: 'git', providerId, kubeApi, kind: token, git: { protocol, host } };
}

/**
 * git gets a password only over https (http only to a loopback host) and only for the hosts of
 * the token's provider: the check lives here, in the extension, so no client can skip it.
 */
export function checkGitTarget(git: { protocol: string; host: string }, t: IssuedToken): void {
  const what = `${git.protocol}://${git.host}`.slice(0, 200).replace(/[^\x21-\x7e]/g, '?');
  const refuse = (why: string) => new HelperError(403, `Agent Auth: no password for ${what}: ${why}.`);
  if (git.protocol !== 'https' && git.protocol !== 'http') throw refuse('git gets a token only over https');
  let url: URL;
  try {
    url = new URL(`${git.protocol}://${git.host}`);
  } catch {
    throw refuse('that is not a host name');
  }
  if (
    url.host !== git.host.toLowerCase().replace(git.protocol === 'https' ? /:443$/ : /:80$/, '') ||
    url.pathname !== '/'
  )
    throw refuse('that is not a host name');
  if (git.protocol === 'http' && !isLoopbackHost(url.hostname))
    throw refuse('git gets a token over plain http only on a loopback host');
  const hosts = t.gitHosts ?? [];
  if (!hosts.includes(url.host)) {
    throw refuse(
      `${t.name ?? t.providerId} gives its token only to ${hosts.length ? hosts.join(', ') : 'no host'} (gitHosts in its agentAuth.providers entry)`,
    );
  }
}

/** The response body for a valid token; refuses tokens that are expired or could corrupt the output. */
export function formatToken(req: TokenRequest, t: IssuedToken, now = Date.now()): string {
  if (!TOKEN_CHARS.test(t.accessToken))
    throw new HelperError(
      502,
      `Agent Auth: the token of ${t.name ?? t.providerId} has characters a token cannot have.`,
    );
  if (!(t.expiresAt > now))
    throw new HelperError(503, `Agent Auth: the token of ${t.name ?? t.providerId} has expired; sign in again.`);
  switch (req.format) {
    case 'raw':
      return `${t.accessToken}\n`;
    case 'git':
      if (!req.git) throw new HelperError(400, 'Agent Auth: git-credential needs the protocol and host git asks for.');
      checkGitTarget(req.git, t);
      // password_expiry_utc (git 2.41+) keeps git's own credential cache from outliving the token.
      return `username=oauth2\npassword=${t.accessToken}\npassword_expiry_utc=${Math.floor(t.expiresAt / 1000)}\n`;
    case 'kubectl':
      return (
        JSON.stringify({
          apiVersion: `client.authentication.k8s.io/${req.kubeApi}`,
          kind: 'ExecCredential',
          status: { token: t.accessToken, expirationTimestamp: rfc3339(t.expiresAt) },
        }) + '\n'
      );
    case 'exec':
      return `${envVarOf(t)}\n${t.accessToken}\n`;
  }
}

function envVarOf(t: IssuedToken): string {
  // Without a configured name: the one the settings default to.
  const name = t.envVar ?? defaultEnvVar(t.providerId);
  if (!ENV_VAR_NAME.test(name))
    throw new HelperError(502, `Agent Auth: "${name}" is not a valid environment variable name.`);
  return name;
}

/** Whole seconds, UTC: what Kubernetes' metav1.Time writes. */
function rfc3339(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
