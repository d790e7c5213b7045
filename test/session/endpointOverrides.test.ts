import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../fixtures/idp.js';
import { FaultProxy } from '../support/faultProxy.js';
import { idpMetadata } from '../support/idpChecks.js';
import { idpProvider, lifecycleWindow, signInThroughIdp, storedSession } from '../support/lifecycle.js';
import { MemorySecretStore } from '../support/memorySecretStore.js';

/**
 * `endpoints` with `issuer`: discovery stays the default and each configured field replaces the
 * discovered one (here the token endpoint, reached through a proxy that counts what passes).
 */
describe('token lifecycle: endpoints overriding discovery', function () {
  this.timeout(30_000);
  let idp: TestIdp;
  let proxy: FaultProxy;
  before(async () => {
    idp = await startTestIdp();
    proxy = await FaultProxy.start(idp.issuer);
  });
  after(async () => {
    await proxy.close();
    await idp.close();
  });

  it('sends the code exchange and every refresh to the configured token endpoint; the rest comes from discovery', async () => {
    const meta = await idpMetadata(idp);
    const token = proxy.url(meta.token_endpoint);
    const w = lifecycleWindow([idpProvider(idp, { endpoints: { token } })], { secrets: new MemorySecretStore() });
    await signInThroughIdp(w.service, 'dev', idp);
    await w.service.refreshNow('dev');
    assert.deepEqual(
      proxy.requests.map((r) => r.grantType),
      ['authorization_code', 'refresh_token'],
    );
    const s = await storedSession(w.store, 'dev');
    assert.equal(s.endpoints.token_endpoint, token);
    assert.equal(s.endpoints.revocation_endpoint, meta.revocation_endpoint, 'not overridden: discovered');
    w.service.dispose();
  });
});
