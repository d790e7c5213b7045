import assert from 'node:assert/strict';
import type { ProviderState } from '../../src/session/tokenService.js';
import {
  mostUrgent,
  nextRenderDelayMs,
  providerStatus,
  type ProviderStatus,
  worstSeverity,
} from '../../src/vscode/statusModel.js';
import { provider, session } from './sessions.js';

const now = 1_000_000_000;
const M = 60_000;
const warn = 5 * M;
const state = (
  id: string,
  patch?: Parameters<typeof session>[1] | null,
  extra: Partial<ProviderState> = {},
): ProviderState => ({
  provider: provider(id),
  session: patch === null ? undefined : session(id, { obtainedAt: now, expiresAt: now + 30 * M, ...patch }),
  refreshing: false,
  ...extra,
});

describe('statusModel', () => {
  it('classifies each provider', () => {
    assert.deepEqual(providerStatus(state('a'), now, warn), {
      kind: 'valid',
      remainingMs: 30 * M,
      severity: 'ok',
      unavoidable: false,
    });
    assert.deepEqual(
      providerStatus(state('a', { expiresAt: now + M }), now, warn),
      { kind: 'valid', remainingMs: M, severity: 'ok', unavoidable: false },
      'near expiry but a refresh is possible: neutral',
    );
    assert.deepEqual(
      providerStatus(state('a', { expiresAt: now + M, refreshToken: undefined }), now, warn),
      { kind: 'valid', remainingMs: M, severity: 'warning', unavoidable: true },
      'no refresh token: warning near expiry',
    );
    assert.deepEqual(
      providerStatus(state('a', { expiresAt: now + 10 * M, refreshToken: undefined }), now, warn),
      { kind: 'valid', remainingMs: 10 * M, severity: 'ok', unavoidable: true },
      'no refresh token, expiry not near yet',
    );
    assert.deepEqual(
      providerStatus(
        state('a', { expiresAt: now + M }, { lastRefresh: { at: now, ok: false, message: 'offline' } }),
        now,
        warn,
      ),
      { kind: 'valid', remainingMs: M, severity: 'warning', unavoidable: true },
      'refresh failing: warning near expiry',
    );
    assert.deepEqual(
      providerStatus(state('a', { expiresAt: now + M }, { lastRefresh: { at: now - 1, ok: false } }), now, warn),
      { kind: 'valid', remainingMs: M, severity: 'ok', unavoidable: false },
      'a failure before this token was obtained is over',
    );
    assert.deepEqual(
      providerStatus(state('a', { expiresAt: now - 1 }), now, warn),
      { kind: 'expired' },
      'refresh token left: still retrying',
    );
    assert.deepEqual(providerStatus(state('a', { expiresAt: now - 1, refreshToken: undefined }), now, warn), {
      kind: 'needsSignIn',
      reason: undefined,
    });
    assert.deepEqual(
      providerStatus(state('a', { refreshToken: undefined, needsSignIn: { reason: 'revoked', at: now } }), now, warn),
      { kind: 'needsSignIn', reason: 'revoked' },
      'needs sign-in even while the access token lasts',
    );
    assert.deepEqual(providerStatus(state('a', null), now, warn), { kind: 'signedOut' });
    assert.deepEqual(providerStatus(state('a', null), now, warn, 'unreadable'), {
      kind: 'needsSignIn',
      reason: 'unreadable',
    });
  });

  it('names the provider needing sign-in first, then expired, then the soonest to expire', () => {
    const rows = (...s: ProviderStatus[]) => s.map((status, i) => ({ i, status }));
    const valid = (ms: number): ProviderStatus => ({
      kind: 'valid',
      remainingMs: ms,
      severity: 'ok',
      unavoidable: false,
    });
    assert.equal(mostUrgent(rows(valid(9 * M), valid(3 * M), { kind: 'signedOut' }))!.i, 1);
    assert.equal(mostUrgent(rows(valid(M), { kind: 'expired' }))!.i, 1);
    assert.equal(mostUrgent(rows({ kind: 'expired' }, { kind: 'needsSignIn' }, valid(M)))!.i, 1);
    assert.equal(mostUrgent(rows({ kind: 'signedOut' })), undefined, 'nobody signed in: the bar names nobody');
  });

  it('takes the worst severity for the background', () => {
    assert.equal(
      worstSeverity([{ kind: 'signedOut' }, { kind: 'valid', remainingMs: M, severity: 'ok', unavoidable: false }]),
      'ok',
    );
    assert.equal(
      worstSeverity([{ kind: 'valid', remainingMs: M, severity: 'warning', unavoidable: true }, { kind: 'signedOut' }]),
      'warning',
    );
    assert.equal(
      worstSeverity([{ kind: 'valid', remainingMs: M, severity: 'warning', unavoidable: true }, { kind: 'expired' }]),
      'error',
    );
    assert.equal(worstSeverity([{ kind: 'needsSignIn' }]), 'error');
  });

  it('schedules no render when nothing counts down, else the soonest change', () => {
    assert.equal(
      nextRenderDelayMs([{ kind: 'signedOut' }, { kind: 'needsSignIn' }, { kind: 'expired' }], warn),
      undefined,
    );
    const statuses: ProviderStatus[] = [
      { kind: 'valid', remainingMs: 40 * M + 10_000, severity: 'ok', unavoidable: false },
      { kind: 'valid', remainingMs: 59_500, severity: 'warning', unavoidable: true },
    ];
    assert.equal(nextRenderDelayMs(statuses, warn), 501, 'the unavoidable expiry ticks each second');
    assert.equal(
      nextRenderDelayMs([{ kind: 'valid', remainingMs: 59_500, severity: 'ok', unavoidable: false }], warn),
      59_501,
      'a session that refreshes itself shows "<1m" until it expires',
    );
  });
});
