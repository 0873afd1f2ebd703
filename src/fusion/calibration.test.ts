import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WalkoutError } from '../errors.ts';
import { createRng } from '../sim/random.ts';
import { expectedCalibrationError, reliabilityTable, thresholdCurve, thresholdFor } from './calibration.ts';

function synthetic(n: number, truth: (c: number) => number, seed = 7) {
  const rng = createRng(seed);
  const r = () => rng.next();
  return Array.from({ length: n }, () => {
    const confidence = r();
    return { confidence, correct: r() < truth(confidence) };
  });
}

const small = [
  { confidence: 0.05, correct: false },
  { confidence: 0.95, correct: true },
  { confidence: 0.95, correct: true },
  { confidence: 0.95, correct: false },
  { confidence: 1, correct: true },
];

test('[F15] the reliability table counts each pair in its bin, confidence 1 in the last', () => {
  const table = reliabilityTable(small, 10);
  assert.equal(table.length, 10);
  assert.equal(table[0]?.count, 1);
  assert.equal(table[0]?.accuracy, 0);
  assert.equal(table[9]?.count, 4);
  assert.equal(table[9]?.accuracy, 0.75);
  assert.ok(Math.abs((table[9]?.meanConfidence ?? 0) - 0.9625) < 1e-12);
  assert.equal(table[5]?.accuracy, null);
});

test('[F15] ECE is the weighted gap between confidence and accuracy', () => {
  // Bin 0: |0 - 0.05| × 1/5; bin 9: |0.75 - 0.9625| × 4/5.
  assert.ok(Math.abs(expectedCalibrationError(small) - (0.05 / 5 + (0.2125 * 4) / 5)) < 1e-12);
  assert.equal(expectedCalibrationError([]), 0);
});

test('[F15] calibrated confidences have a small ECE, overconfident ones a large one', () => {
  const calibrated = expectedCalibrationError(synthetic(20_000, (c) => c));
  const overconfident = expectedCalibrationError(synthetic(20_000, (c) => c ** 3));
  assert.ok(calibrated < 0.02, `calibrated ECE ${calibrated}`);
  assert.ok(overconfident > 0.15, `overconfident ECE ${overconfident}`);
});

test('[F15] raising the threshold sends more to review and makes commits more accurate', () => {
  const curve = thresholdCurve(synthetic(5_000, (c) => c));
  for (let i = 1; i < curve.length; i++) {
    assert.ok(curve[i]!.reviewRate >= curve[i - 1]!.reviewRate);
  }
  const at = (t: number) => curve.find((p) => p.threshold === t)!;
  assert.equal(at(0).reviewRate, 0);
  assert.ok((at(0.9).committedAccuracy ?? 0) > (at(0.5).committedAccuracy ?? 1));
  assert.ok(Math.abs(at(0.9).reviewRate - 0.9) < 0.03);
});

test('[F15] the curve on a hand-made set, and the lowest threshold reaching a target accuracy', () => {
  const curve = thresholdCurve(small, [0, 0.5, 0.96, 1]);
  assert.deepEqual(
    curve.map((p) => [p.reviewRate, p.committed, p.committedAccuracy, p.wrongCommitRate]),
    [
      [0, 5, 3 / 5, 2 / 5],
      [1 / 5, 4, 3 / 4, 1 / 5],
      [4 / 5, 1, 1, 0],
      [4 / 5, 1, 1, 0],
    ],
  );
  assert.equal(thresholdFor(small, 0.99, [0, 0.5, 0.96, 1])?.threshold, 0.96);
  assert.equal(thresholdFor([{ confidence: 0.5, correct: false }], 0.9, [0, 0.5]), null);
});

test('[F15] a confidence outside [0, 1] is refused', () => {
  assert.throws(() => reliabilityTable([{ confidence: 1.2, correct: true }]), WalkoutError);
});
