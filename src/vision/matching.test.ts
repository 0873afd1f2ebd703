import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keypointDistance, matchRival } from './matching.ts';

const inf = Number.POSITIVE_INFINITY;
const always = () => true;

test('a lone detection nearly as close to a second track no detection went to has that track as rival', () => {
  // One detection, two tracks on the camera's line of sight (the far shopper hidden): 0.29 m and 0.34 m.
  assert.equal(matchRival(Float64Array.from([0.29, 0.34]), [0], 0, 2, 0.1, always), 1);
  // The other track clearly further, or out of its gate: the detection is the near one's.
  assert.equal(matchRival(Float64Array.from([0.05, 0.45]), [0], 0, 2, 0.1, always), -1);
  assert.equal(matchRival(Float64Array.from([0.29, inf]), [0], 0, 2, 0.1, always), -1);
});

test('two shoppers side by side, each detected, are no rivals however close their tracks', () => {
  const cost = Float64Array.from([0.05, 0.1, 0.12, 0.04]);
  assert.equal(matchRival(cost, [0, 1], 0, 2, 0.1, always), -1);
  assert.equal(matchRival(cost, [0, 1], 1, 2, 0.1, always), -1);
});

test('a track no camera sees any more is no rival: its drifting prediction must not starve a watched shopper', () => {
  assert.equal(
    matchRival(Float64Array.from([0.05, 0.1]), [0], 0, 2, 0.1, (k: number) => k === 0),
    -1,
  );
});

test('keypoint distance compares only keypoints both detections saw', () => {
  const a = [
    [100, 100, 0.9],
    [110, 100, 0.9],
    [0, 0, 0.1],
  ] as const;
  const b = [
    [103, 104, 0.8],
    [110, 100, 0.2],
    [500, 500, 0.9],
  ] as const;
  assert.equal(keypointDistance(a, b, 0.3), 5);
  assert.equal(keypointDistance([[0, 0, 0.1]], [[0, 0, 0.9]], 0.3), undefined);
});
