import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ambiguousMatch } from './matching.ts';

const inf = Number.POSITIVE_INFINITY;
const always = () => true;

test('a lone detection nearly as close to a second track no detection went to is ambiguous', () => {
  // One detection, two tracks on the camera's line of sight (the far shopper hidden): 0.29 m and 0.34 m.
  const cost = Float64Array.from([0.29, 0.34]);
  assert.equal(ambiguousMatch(cost, [0], 0, 2, 0.1, always), true);
  // The other track clearly further: the detection is the near one's.
  assert.equal(ambiguousMatch(Float64Array.from([0.05, 0.45]), [0], 0, 2, 0.1, always), false);
  // Out of the other track's gate: no doubt either.
  assert.equal(ambiguousMatch(Float64Array.from([0.29, inf]), [0], 0, 2, 0.1, always), false);
});

test('two shoppers side by side, each detected, are not ambiguous however close their tracks', () => {
  const cost = Float64Array.from([0.05, 0.1, 0.12, 0.04]);
  assert.equal(ambiguousMatch(cost, [0, 1], 0, 2, 0.1, always), false);
  assert.equal(ambiguousMatch(cost, [0, 1], 1, 2, 0.1, always), false);
});

test('a track no camera sees any more is no rival: its drifting prediction must not starve a watched shopper', () => {
  const cost = Float64Array.from([0.05, 0.1]);
  assert.equal(
    ambiguousMatch(cost, [0], 0, 2, 0.1, (k) => k === 0),
    false,
  );
});
