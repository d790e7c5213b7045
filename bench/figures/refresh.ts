import { rmSync } from 'node:fs';
import { startTestIdp } from '../../test/fixtures/idp.js';
import {
  idpProvider,
  lifecycleWindow,
  pointTokenEndpointAt,
  signInThroughIdp,
  storedSession,
  tempDir,
} from '../../test/support/lifecycle.js';
import { MemorySecretStore } from '../../test/support/memorySecretStore.js';
import { type FigureResult, row } from '../report.js';
import { median } from '../stats.js';
import { BareRefresher } from '../support/bareRefresh.js';
import { countGlobalFetch } from '../support/countingFetch.js';
import { CountingProxy } from '../support/countingProxy.js';

interface Sample {
  requests: number;
  bytesUp: number;
  ms: number;
}

/**
 * Figure 4. One refresh after sign-in (refreshNow: lock, re-read, claim, POST, store, marker):
 * the HTTP requests it makes (every request through the global fetch, so a discovery round trip
 * would count), the bytes it puts on the wire (a counting TCP relay in front of the token
 * endpoint) and its duration, next to a bare refresh_token POST through the same relay.
 */
export async function refreshFigure(runs: number): Promise<FigureResult> {
  const idp = await startTestIdp({ accessTokenTtl: 3600, rotateRefreshTokens: true });
  const fetches = countGlobalFetch();
  const lockDir = tempDir('agent-auth-bench-lock-');
  const w = lifecycleWindow([idpProvider(idp)], { secrets: new MemorySecretStore(), lockDir });
  let proxy: CountingProxy | undefined;
  try {
    await signInThroughIdp(w.service, 'dev', idp);
    proxy = await CountingProxy.start(idp.issuer);
    const session = await storedSession(w.store, 'dev');
    await pointTokenEndpointAt(w.store, 'dev', proxy.url(session.endpoints.token_endpoint));
    const bare = await BareRefresher.signIn(idp);
    bare.tokenEndpoint = proxy.url(bare.tokenEndpoint);

    const p = proxy;
    let lastRequests: string[] = [];
    const ours = async (): Promise<Sample> => {
      fetches.reset();
      p.reset();
      const started = performance.now();
      await w.service.refreshNow('dev');
      const ms = performance.now() - started;
      lastRequests = [...fetches.requests];
      return { ms, requests: lastRequests.length, bytesUp: p.bytesUp };
    };
    const peer = async (): Promise<Sample> => {
      p.reset();
      const ms = await bare.refresh();
      return { ms, requests: 1, bytesUp: p.bytesUp };
    };
    await ours(); // warm-up: JIT, connections, lock folder
    await peer();
    const o: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      o.push(await ours());
      b.push(await peer());
    }
    const maxRequests = Math.max(...o.map((s) => s.requests));
    return {
      rows: [
        row({
          figure: '4a HTTP requests per refresh after sign-in (goal 1: no discovery)',
          ours: maxRequests,
          peer: 1,
          goal: '= 1',
          check: (n) => n === 1,
          runs,
        }),
        row({
          figure: '4b Bytes sent per refresh, headers included (vs bare refresh_token POST)',
          ours: median(o.map((s) => s.bytesUp)),
          peer: median(b.map((s) => s.bytesUp)),
          runs,
        }),
        row({
          figure: '4c Refresh time, ms (vs bare refresh_token POST)',
          ours: median(o.map((s) => s.ms)),
          peer: median(b.map((s) => s.ms)),
          runs,
        }),
      ],
      invariants: [
        {
          name: 'no refresh token redeemed twice (figure 4)',
          ok: idp.stats.doubleRedemptions() === 0,
          detail: `${idp.stats.doubleRedemptions()} double redemptions`,
        },
      ],
      details: { requestsOfLastRefresh: lastRequests, ours: o, bare: b },
    };
  } finally {
    fetches.restore();
    w.service.dispose();
    await proxy?.close();
    await idp.close();
    rmSync(lockDir, { recursive: true, force: true });
  }
}
