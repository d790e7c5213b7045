import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { isAuthError } from '../../src/protocol/errors.js';
import { signInThroughIdp } from '../support/lifecycle.js';
import type { InteropContext } from './profileSuite.js';

/** For IdPs that compare redirect URIs exactly: without the recipe's `redirect` the IdP refuses, and a taken port is named. */
export function exactRedirectChecks(c: () => InteropContext): void {
  it('compares the redirect URI exactly: the default random-port redirect is refused by the IdP', async () => {
    const { redirect: _, ...withoutRedirect } = c().provider;
    const w = c().window(withoutRedirect);
    await assert.rejects(signInThroughIdp(w.service, c().provider.id, c().idp), /redirect_uri/);
  });

  it('a taken fixed port is a clear error naming the port and the setting', async () => {
    const port = c().provider.redirect!.port!;
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const w = c().window();
      const err = await signInThroughIdp(w.service, c().provider.id, c().idp).catch((e: unknown) => e);
      assert.ok(isAuthError(err, 'config'), String(err));
      assert.match(
        (err as Error).message,
        new RegExp(
          `^Port ${port} on ${c().provider.redirect!.host.replace(/[.[\]]/g, '\\$&')} is taken by another program`,
        ),
      );
      assert.match(
        (err as Error).message,
        new RegExp(`"redirect\\.port" of provider "${c().provider.id}" in agentAuth\\.providers`),
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
}
