import assert from 'node:assert/strict';
import type { ProviderState } from '../../src/session/tokenService.js';
import { mostUrgent, nextRenderDelayMs, providerStatus, type ProviderStatus, worstSeverity } from '../../src/vscode/statusModel.js';
import { provider, session } from './sessions.js';

const now = 1_000_000_000;
const M = 60_000;
const warn = 5 * M;
const state = (id: string, patch?: Parameters<typeof session>[1] | null, extra: Partial<ProviderState> = {}): ProviderState => ({
  provider: provider(id),
  session: patch === null ? undefined : session(id, { obtainedAt: now, expiresAt: now + 30 * M, ...patch }),
  refreshing: false,
  ...extra,
});

describe('statusModel', () => {
  it('classifies each provider', () => {
    assert.deepEqual(providerStatus(state('a'), now, warn), { kind: 'valid', remainingMs: 30 * M, severity: 'ok' });
    assert.deepEqual(providerStatus(state('a', { expiresAt: now + M }), now, warn), { kind: 'valid', remainingMs: M, severity: 'warning' });
    assert.deepEqual(providerStatus(state('a', { expiresAt: now - 1 }), now, warn), { kind: 'expired' }, 'refresh token left: still retrying');
    assert.deepEqual(providerStatus(state('a', { expiresAt: now - 1, refreshToken: undefined }), now, warn), { kind: 'needsSignIn', reason: undefined });
    assert.deepEqual(
      providerStatus(state('a', { refreshToken: undefined, needsSignIn: { reason: 'revoked', at: now } }), now, warn),
      { kind: 'needsSignIn', reason: 'revoked' },
      'needs sign-in even while the access token lasts',
    );
    assert.deepEqual(providerStatus(state('a', null), now, warn), { kind: 'signedOut' });
    assert.deepEqual(providerStatus(state('a', null), now, warn, 'unreadable'), { kind: 'needsSignIn', reason: 'unreadable' });
  });

  it('names the provider needing sign-in first, then expired, then the soonest to expire', () => {
    const rows = (...s: ProviderStatus[]) => s.map((status, i) => ({ i, status }));
    const valid = (ms: number): ProviderStatus => ({ kind: 'valid', remainingMs: ms, severity: 'ok' });
    assert.equal(mostUrgent(rows(valid(9 * M), valid(3 * M), { kind: 'signedOut' }))!.i, 1);
    assert.equal(mostUrgent(rows(valid(M), { kind: 'expired' }))!.i, 1);
    assert.equal(mostUrgent(rows({ kind: 'expired' }, { kind: 'needsSignIn' }, valid(M)))!.i, 1);
    assert.equal(mostUrgent(rows({ kind: 'signedOut' })), undefined, 'nobody signed in: the bar names nobody');
  });

  it('takes the worst severity for the background', () => {
    assert.equal(worstSeverity([{ kind: 'signedOut' }, { kind: 'valid', remainingMs: M, severity: 'ok' }]), 'ok');
    assert.equal(worstSeverity([{ kind: 'valid', remainingMs: M, severity: 'warning' }, { kind: 'signedOut' }]), 'warning');
    assert.equal(worstSeverity([{ kind: 'valid', remainingMs: M, severity: 'warning' }, { kind: 'expired' }]), 'error');
    assert.equal(worstSeverity([{ kind: 'needsSignIn' }]), 'error');
  });

  it('schedules no render when nothing counts down, else the soonest change', () => {
    assert.equal(nextRenderDelayMs([{ kind: 'signedOut' }, { kind: 'needsSignIn' }, { kind: 'expired' }], warn), undefined);
    const statuses: ProviderStatus[] = [
      { kind: 'valid', remainingMs: 40 * M + 10_000, severity: 'ok' },
      { kind: 'valid', remainingMs: 90_500, severity: 'warning' },
    ];
    assert.equal(nextRenderDelayMs(statuses, warn), 501);
  });
});
