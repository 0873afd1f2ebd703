import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedCalibrationError, reliabilityBins, thresholdCurve } from './calibration.ts';

const pairs = [
  { confidence: 0.95, correct: true },
  { confidence: 0.95, correct: true },
  { confidence: 0.55, correct: false },
  { confidence: 0.55, correct: true },
  { confidence: 1, correct: false },
];

describe('reliabilityBins', () => {
  it('puts pairs in confidence bins with their accuracy, 1.0 in the last bin', () => {
    const bins = reliabilityBins(pairs, 10);
    assert.equal(bins.length, 10);
    assert.deepEqual(
      bins.map((b) => b.count),
      [0, 0, 0, 0, 0, 2, 0, 0, 0, 3],
    );
    assert.equal(bins[5]!.accuracy, 0.5);
    assert.equal(bins[9]!.accuracy, 2 / 3);
    assert.equal(bins[0]!.accuracy, null);
  });

  it('gives zero calibration error for a calibrated engine and a positive one for an overconfident one', () => {
    const calibrated = [
      { confidence: 0.55, correct: true },
      { confidence: 0.55, correct: false },
    ];
    assert.ok(Math.abs(expectedCalibrationError(reliabilityBins(calibrated))! - 0.05) < 1e-9);
    const overconfident = [
      { confidence: 0.99, correct: false },
      { confidence: 0.99, correct: false },
    ];
    assert.ok(Math.abs(expectedCalibrationError(reliabilityBins(overconfident))! - 0.99) < 1e-9);
    assert.equal(expectedCalibrationError(reliabilityBins([])), null);
  });
});

describe('thresholdCurve', () => {
  it('trades review rate for accuracy as the threshold rises', () => {
    const curve = thresholdCurve(pairs, 1, [0, 0.6, 1.01]);
    // 6 events: 5 decided + 1 the engine reviewed itself.
    assert.deepEqual(curve[0], { threshold: 0, reviewRate: 1 / 6, accuracy: 4 / 6, automaticAccuracy: 3 / 5 });
    assert.deepEqual(curve[1], { threshold: 0.6, reviewRate: 3 / 6, accuracy: 5 / 6, automaticAccuracy: 2 / 3 });
    assert.deepEqual(curve[2], { threshold: 1.01, reviewRate: 1, accuracy: 1, automaticAccuracy: null });
  });
});
