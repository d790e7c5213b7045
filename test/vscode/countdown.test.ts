import assert from 'node:assert/strict';
import { formatRemaining, nextTickDelayMs, severity } from '../../src/vscode/countdown.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('countdown', () => {
  it('formats each range, rounding down; seconds only before an unavoidable expiry', () => {
    const cases: [number, boolean, string][] = [
      [-5 * S, true, '0s'],
      [0, true, '0s'],
      [999, true, '0s'],
      [59 * S + 999, true, '59s'],
      [59 * S + 999, false, '<1m'],
      [1, false, '<1m'],
      [M, true, '1m'],
      [M + 42 * S + 500, false, '1m'],
      [2 * M - 1, true, '1m'],
      [12 * M + 59 * S, false, '12m'],
      [H - 1, true, '59m'],
      [H, false, '1h 00m'],
      [H + 5 * M + 30 * S, true, '1h 05m'],
      [D - 1, false, '23h 59m'],
      [D, true, '1d 0h'],
      [2 * D + 3 * H + 59 * M, false, '2d 3h'],
    ];
    for (const [ms, unavoidable, text] of cases)
      assert.equal(formatRemaining(ms, unavoidable), text, `formatRemaining(${ms}, ${unavoidable})`);
  });

  it('ticks every second only in the last minute of an unavoidable expiry, landing just past each change', () => {
    assert.equal(nextTickDelayMs(59 * S + 400, true), 401);
    assert.equal(nextTickDelayMs(90 * S, true), 30 * S + 1, 'from 1m30s the next change is at 59s');
    assert.equal(nextTickDelayMs(12 * M + 20 * S, true), 20 * S + 1);
    assert.equal(nextTickDelayMs(5 * H + 17 * M + 3 * S, false), 3 * S + 1);
    // Every tick the delays schedule really changes the text.
    for (const [start, unavoidable] of [
      [59 * S + 400, true],
      [90 * S, true],
      [12 * M + 20 * S, false],
      [H + 5 * M + 30 * S, false],
    ] as const) {
      const after = start - nextTickDelayMs(start, unavoidable)!;
      assert.notEqual(formatRemaining(after, unavoidable), formatRemaining(start, unavoidable), `tick from ${start}`);
      assert.equal(
        formatRemaining(after + 2, unavoidable),
        formatRemaining(start, unavoidable),
        `a tick 2 ms earlier would be too early (${start})`,
      );
    }
  });

  it('renders at most once a minute while the session refreshes itself, down to expiry', () => {
    for (let r = 2 * H; r > 0;) {
      const d = nextTickDelayMs(r, false)!;
      const next = r - d;
      if (next > 0)
        assert.notEqual(
          formatRemaining(next, false),
          formatRemaining(r, false),
          `a render at ${r} ms changes the text`,
        );
      // No two changes of the text are less than a minute apart (the first one may be sooner).
      if (r < 2 * H - M && next > 0) assert.ok(d >= M || r < M, `the delay from ${r} ms is ${d} ms`);
      r = next;
    }
    assert.equal(nextTickDelayMs(30 * S, false), 30 * S + 1, 'under a minute: "<1m" until it expires');
  });

  it('wakes at least every 5 minutes when the display changes only hourly', () => {
    assert.equal(nextTickDelayMs(2 * D + 30 * M, false), 5 * M);
  });

  it('stops ticking once expired', () => {
    assert.equal(nextTickDelayMs(0, true), undefined);
    assert.equal(nextTickDelayMs(-1, false), undefined);
    assert.equal(nextTickDelayMs(1, true), 2, 'the tick that shows expiry');
  });

  it('ticks when the warning threshold is crossed, only for an unavoidable expiry', () => {
    assert.equal(nextTickDelayMs(10 * M + 30 * S, true, 10 * M + 10 * S), 20 * S + 1);
    assert.equal(nextTickDelayMs(10 * M + 30 * S, true, 10 * M), 30 * S + 1, 'the text changes first');
    assert.equal(nextTickDelayMs(5 * M, true, 10 * M), 1, 'already below the threshold: text ticks only');
    assert.equal(
      nextTickDelayMs(10 * M + 30 * S, false, 10 * M + 10 * S),
      30 * S + 1,
      'a refreshing session never turns yellow',
    );
  });

  it('warns only when the session cannot refresh itself', () => {
    assert.equal(severity(10 * M, 5 * M, true), 'ok');
    assert.equal(severity(5 * M, 5 * M, true), 'ok');
    assert.equal(severity(5 * M - 1, 5 * M, true), 'warning');
    assert.equal(severity(1, 5 * M, true), 'warning');
    assert.equal(severity(1, 5 * M, false), 'ok', 'a refresh is possible: neutral to the end');
    assert.equal(severity(0, 5 * M, false), 'error');
    assert.equal(severity(1, 0, true), 'ok', 'warningSeconds 0 turns the warning off');
  });
});
