import { rmSync } from 'node:fs';
import { MemorySecretStore } from '../../test/support/memorySecretStore.js';
import type { TestIdp } from '../../test/fixtures/idp.js';
import {
  idpProvider,
  lifecycleWindow,
  signInThroughIdp,
  storedSession,
  tempDir,
} from '../../test/support/lifecycle.js';

/**
 * The token endpoint with nothing of ours in between: a refresh_token POST with the global fetch,
 * on a grant of its own (signed in once, like ours, so the IdP does the same work for both).
 * Follows rotation. The token stays in this object: never logged, never written anywhere.
 */
export class BareRefresher {
  private constructor(
    private readonly clientId: string,
    private refreshToken: string,
    /** Where the POST goes: the IdP's token endpoint, or a counting proxy in front of it. */
    public tokenEndpoint: string,
  ) {}

  static async signIn(idp: TestIdp): Promise<BareRefresher> {
    const lockDir = tempDir('agent-auth-bench-lock-');
    const w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), lockDir });
    try {
      await signInThroughIdp(w.service, 'dev', idp);
      const s = await storedSession(w.store, 'dev');
      return new BareRefresher(s.clientId, s.refreshToken!, s.endpoints.token_endpoint);
    } finally {
      w.service.dispose();
      rmSync(lockDir, { recursive: true, force: true });
    }
  }

  /** One refresh; resolves with its latency in ms. */
  async refresh(): Promise<number> {
    const started = performance.now();
    const res = await fetch(this.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.refreshToken,
        client_id: this.clientId,
      }),
    });
    const body = (await res.json()) as { refresh_token?: string; error?: string };
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`bare refresh: HTTP ${res.status} ${body.error ?? ''}`);
    this.refreshToken = body.refresh_token ?? this.refreshToken;
    return ms;
  }
}
