import type { AccessToken, GetTokenOptions } from '../tokenService.js';

export type GetToken = (providerId: string, opts?: GetTokenOptions) => Promise<AccessToken>;

/**
 * Sends a request with the provider's bearer token; on a 401, refreshes once and sends it again.
 * `init` is a factory because a request body (a stream, FormData) may be consumed by the first try.
 */
export async function fetchWithToken(
  getToken: GetToken,
  fetch: (url: string, init: RequestInit) => Promise<Response>,
  providerId: string,
  url: string,
  init: () => RequestInit = () => ({}),
): Promise<Response> {
  const send = async (token: AccessToken) => {
    const req = init();
    const headers = new Headers(req.headers);
    headers.set('authorization', `Bearer ${token.accessToken}`);
    return fetch(url, { ...req, headers });
  };
  const used = await getToken(providerId);
  const first = await send(used);
  if (first.status !== 401) return first;
  await first.body?.cancel();
  return send(await getToken(providerId, { rejectedToken: used.accessToken }));
}
