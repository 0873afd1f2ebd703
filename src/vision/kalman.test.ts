import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloorKalman, predict, predictAt, update } from './kalman.ts';

const tuning = { accelNoise: 4, maxPositionVar: 6.25 };

test('learns a constant velocity from position fixes and predicts ahead', () => {
  const k = createFloorKalman(0, 0, 0, 0.3);
  // A shopper walking at (1.2, −0.5) m/s, fixed every 67 ms with 3 cm noise-free fixes.
  for (let i = 1; i <= 45; i++) {
    const t = i * 67;
    update(k, 1.2 * (t / 1000), -0.5 * (t / 1000), 0.03 ** 2, t, tuning);
  }
  assert.ok(Math.abs(k.vx - 1.2) < 0.05, `vx ${k.vx}`);
  assert.ok(Math.abs(k.vy + 0.5) < 0.05, `vy ${k.vy}`);
  const ahead = predictAt(k, k.t + 1000, tuning);
  assert.ok(Math.hypot(ahead.x - 1.2 * (k.t / 1000 + 1), ahead.y + 0.5 * (k.t / 1000 + 1)) < 0.08);
});

test('uncertainty grows while predicting and shrinks with a fix, capped for lost shoppers', () => {
  const k = createFloorKalman(1, 1, 0, 0.05);
  const s0 = predictAt(k, 0, tuning).sigma;
  const s1 = predictAt(k, 1000, tuning).sigma;
  const s10 = predictAt(k, 10_000, tuning).sigma;
  assert.ok(s0 < s1 && s1 < s10, `${s0} ${s1} ${s10}`);
  assert.ok(s10 <= Math.sqrt(tuning.maxPositionVar) + 1e-9);
  predict(k, 1000, tuning);
  const before = k.pp;
  update(k, 1, 1, 0.05 ** 2, 1000, tuning);
  assert.ok(k.pp < before);
});

test('a late measurement is carried forward along the velocity instead of pulling the track back', () => {
  const k = createFloorKalman(0, 0, 0, 0.3);
  for (let i = 1; i <= 30; i++) update(k, i * 0.1, 0, 0.02 ** 2, i * 100, tuning); // 1 m/s along x
  const x = k.x;
  // A frame stamped 60 ms ago saw the shopper where they were then: no backward jump.
  update(k, x - 0.06, 0, 0.02 ** 2, k.t - 60, tuning);
  assert.ok(Math.abs(k.x - x) < 0.02, `${k.x} vs ${x}`);
});
