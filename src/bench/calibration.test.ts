import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reviewTradeoffCurve } from './calibration.ts';

const pairs = [
  { confidence: 0.95, correct: true },
  { confidence: 0.95, correct: true },
  { confidence: 0.55, correct: false },
  { confidence: 0.55, correct: true },
  { confidence: 1, correct: false },
];

describe('reviewTradeoffCurve', () => {
  it('trades review rate for accuracy as the threshold rises', () => {
    const curve = reviewTradeoffCurve(pairs, 1, [0, 0.6, 1.01]);
    // 6 events: 5 decided + 1 the engine reviewed itself.
    assert.deepEqual(curve[0], { threshold: 0, reviewRate: 1 / 6, accuracy: 4 / 6, automaticAccuracy: 3 / 5 });
    assert.deepEqual(curve[1], { threshold: 0.6, reviewRate: 3 / 6, accuracy: 5 / 6, automaticAccuracy: 2 / 3 });
    assert.deepEqual(curve[2], { threshold: 1.01, reviewRate: 1, accuracy: 1, automaticAccuracy: null });
  });
});
