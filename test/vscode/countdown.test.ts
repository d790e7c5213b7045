import assert from 'node:assert/strict';
import { formatRemaining, nextTickDelayMs, severity } from '../../src/vscode/countdown.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('countdown', () => {
  it('formats each range, rounding down', () => {
    const cases: [number, string][] = [
      [-5 * S, '0s'],
      [0, '0s'],
      [999, '0s'],
      [59 * S + 999, '59s'],
      [M, '1m 00s'],
      [M + 42 * S + 500, '1m 42s'],
      [2 * M - 1, '1m 59s'],
      [2 * M, '2m'],
      [12 * M + 59 * S, '12m'],
      [H - 1, '59m'],
      [H, '1h 00m'],
      [H + 5 * M + 30 * S, '1h 05m'],
      [D - 1, '23h 59m'],
      [D, '1d 0h'],
      [2 * D + 3 * H + 59 * M, '2d 3h'],
    ];
    for (const [ms, text] of cases) assert.equal(formatRemaining(ms), text, `formatRemaining(${ms})`);
  });

  it('ticks every second only in the last two minutes, landing just past each change', () => {
    assert.equal(nextTickDelayMs(59 * S + 400), 401);
    assert.equal(nextTickDelayMs(90 * S), 1);
    assert.equal(nextTickDelayMs(2 * M + 30 * S), 30 * S + 1, 'from 2m30s the next change is at 1m59s');
    assert.equal(nextTickDelayMs(12 * M + 20 * S), 20 * S + 1);
    assert.equal(nextTickDelayMs(5 * H + 17 * M + 3 * S), 3 * S + 1);
    // Every tick the delays schedule really changes the text.
    for (const start of [59 * S + 400, 2 * M + 30 * S, 12 * M + 20 * S, H + 5 * M + 30 * S]) {
      const after = start - nextTickDelayMs(start)!;
      assert.notEqual(formatRemaining(after), formatRemaining(start), `tick from ${start}`);
      assert.equal(formatRemaining(after + 2), formatRemaining(start), `a tick 2 ms earlier would be too early (${start})`);
    }
  });

  it('wakes at least every 5 minutes when the display changes only hourly', () => {
    assert.equal(nextTickDelayMs(2 * D + 30 * M), 5 * M);
  });

  it('stops ticking once expired', () => {
    assert.equal(nextTickDelayMs(0), undefined);
    assert.equal(nextTickDelayMs(-1), undefined);
    assert.equal(nextTickDelayMs(1), 2, 'the tick that shows expiry');
  });

  it('ticks when the warning threshold is crossed even if the text would not change', () => {
    assert.equal(nextTickDelayMs(10 * M + 30 * S, 10 * M + 10 * S), 20 * S + 1);
    assert.equal(nextTickDelayMs(10 * M + 30 * S, 10 * M), 30 * S + 1, 'the text changes first');
    assert.equal(nextTickDelayMs(5 * M, 10 * M), 1, 'already below the threshold: text ticks only');
  });

  it('grades severity against the warning threshold', () => {
    assert.equal(severity(10 * M, 5 * M), 'ok');
    assert.equal(severity(5 * M, 5 * M), 'ok');
    assert.equal(severity(5 * M - 1, 5 * M), 'warning');
    assert.equal(severity(1, 5 * M), 'warning');
    assert.equal(severity(0, 5 * M), 'error');
    assert.equal(severity(1, 0), 'ok', 'warningSeconds 0 turns the warning off');
  });
});
