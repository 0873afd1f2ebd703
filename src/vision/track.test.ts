import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Box, Vec3 } from '../store/schema.ts';
import { closestApproach, newTrack } from './track.ts';

const T0 = 1_000_000;
/** A plate's reach volume on a high shelf, 1.4–1.74 m up, its front at y = 8. */
const box: Box = { min: [3, 8, 1.4], max: [3.8, 8.4, 1.74] };

function track(points: { t: number; x?: number; y?: number; right?: Vec3; sigma: number }[]) {
  const tr = newTrack(1, { x: 3.4, y: 7.6, ts: T0, sigma: 0.1 }, { nose: 1.65, shoulder: 1.45, hip: 0.95 }, false);
  tr.id = 'T1';
  for (const p of points) {
    tr.points.push({
      t: p.t,
      x: p.x ?? 3.4,
      y: p.y ?? 7.6,
      rightWrist: p.right,
      leftWrist: [3.2, 7.6, 0.8],
      wristSigma: p.sigma,
    });
  }
  return tr;
}

test('a wrist held below the shelf it went into keeps its first reading, its doubt grown by the last', () => {
  // Triangulated 0.18 m under the volume, then held there (shelf above hides the hand) while its σ grows.
  const held: Vec3 = [3.4, 8.2, 1.22];
  const tr = track([
    { t: T0, right: [3.4, 7.9, 0.9], sigma: 0.04 },
    { t: T0 + 100, right: held, sigma: 0.05 },
    { t: T0 + 600, right: held, sigma: 0.1 },
    { t: T0 + 1100, right: held, sigma: 0.15 },
  ]);
  const e = closestApproach(tr, box, T0, T0 + 2000)!;
  assert.equal(e.entered, false);
  assert.ok(Math.abs(e.minDistance - 0.18) < 1e-9);
  assert.equal(e.tClosest, T0 + 100);
  assert.equal(e.sigma, 0.05);
  assert.equal(e.heldSigma, 0.15);
});

test('a wrist seen inside is timed by its first reading inside and has no held doubt', () => {
  const tr = track([
    { t: T0, right: [3.4, 8.2, 1.5], sigma: 0.03 },
    { t: T0 + 100, right: [3.4, 8.2, 1.5], sigma: 0.08 },
  ]);
  const e = closestApproach(tr, box, T0, T0 + 2000)!;
  assert.equal(e.entered, true);
  assert.equal(e.tClosest, T0);
  assert.equal(e.heldSigma, undefined);
});

test('the body is measured on the floor: how near the shopper stood to the volume', () => {
  const tr = track([
    { t: T0, x: 2.1, y: 8.2, sigma: 0.03 },
    { t: T0 + 100, x: 2.3, y: 8.2, sigma: 0.03 },
  ]);
  const e = closestApproach(tr, box, T0, T0 + 2000)!;
  assert.ok(Math.abs(e.bodyDistance! - 0.7) < 1e-9, `${e.bodyDistance}`);
});
