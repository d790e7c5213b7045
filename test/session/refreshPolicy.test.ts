import assert from 'node:assert/strict';
import { DEFAULT_REFRESH } from '../../src/session/config/config.js';
import {
  backoffMs,
  isRefreshDue,
  MAX_JITTER_MS,
  refreshDueAt,
  refreshLeadMs,
} from '../../src/session/refresh/refreshPolicy.js';

const HOUR = 3_600_000;

describe('refresh policy', () => {
  it('refreshes at 25% of the lifetime left for long tokens', () => {
    assert.equal(refreshLeadMs(HOUR, 0, DEFAULT_REFRESH), HOUR / 4);
  });

  it('never later than 60 s before expiry', () => {
    // 3-minute token: 25% is 45 s, so the 60 s floor wins.
    assert.equal(refreshLeadMs(180_000, 0, DEFAULT_REFRESH), 60_000);
  });

  it('at half-life for tokens shorter than twice the minimum, so it cannot loop at birth', () => {
    assert.equal(refreshLeadMs(10_000, 0, DEFAULT_REFRESH), 5_000);
    assert.equal(refreshLeadMs(0, 0, DEFAULT_REFRESH), 0);
  });

  it('jitters earlier, bounded by 10 s and 5% of the lifetime', () => {
    const t = { obtainedAt: 0, expiresAt: HOUR };
    assert.equal(refreshDueAt(t, DEFAULT_REFRESH, 0), HOUR * 0.75);
    assert.equal(refreshDueAt(t, DEFAULT_REFRESH, 1), HOUR * 0.75 - MAX_JITTER_MS);
    const short = { obtainedAt: 0, expiresAt: 10_000 };
    assert.equal(refreshDueAt(short, DEFAULT_REFRESH, 1), 5_000 - 500);
  });

  it("after the lock, any window's jittered schedule counts as due", () => {
    const t = { obtainedAt: 0, expiresAt: HOUR };
    assert.equal(isRefreshDue(t, DEFAULT_REFRESH, HOUR * 0.75 - MAX_JITTER_MS - 1), false);
    assert.equal(isRefreshDue(t, DEFAULT_REFRESH, HOUR * 0.75 - MAX_JITTER_MS), true);
  });

  it('backs off exponentially with jitter, capped, never before Retry-After', () => {
    assert.equal(backoffMs(0, 0), 500);
    assert.equal(backoffMs(0, 1), 1000);
    assert.equal(backoffMs(3, 1), 8000);
    assert.equal(backoffMs(20, 1), 60_000);
    assert.equal(backoffMs(20, 1, undefined, 300_000), 300_000);
    assert.equal(backoffMs(0, 0, 30), 30_000);
    assert.equal(backoffMs(0, 0, 1e9), 300_000, 'Retry-After is capped at 5 minutes');
  });
});
