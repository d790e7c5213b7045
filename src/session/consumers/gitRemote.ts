import { isLoopbackHost } from '../../protocol/urls.js';
import { gitHostsOf, type ProviderConfig } from '../config/config.js';

/**
 * Which provider's token git may send to a remote: the first of `providers` whose git hosts
 * (gitHostsOf) include the remote's host[:port], over https (or http to a loopback host only, as
 * for endpoints). Undefined for any other remote. Free of `vscode`.
 */
export function providerForGitRemote<P extends ProviderConfig>(providers: readonly P[], remote: string): P | undefined {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
  const host = url.host.toLowerCase();
  return providers.find((p) => gitHostsOf(p).includes(host));
}
