import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookAtRotation, pixelRay, projectionMatrix, projectPoint } from './camera.ts';
import type { CameraDef, Vec3 } from './schema.ts';

const camera = (from: Vec3, to: Vec3): CameraDef => ({
  id: 'c1',
  resolution: [1280, 720],
  fps: 15,
  intrinsics: { fx: 800, fy: 800, cx: 640, cy: 360 },
  pose: { position: from, rotation: lookAtRotation(from, to) },
  distortion: [],
});

test('a point on the optical axis projects to the principal point', () => {
  const c = camera([2, 2, 3], [2, 2, 0]);
  const p = projectPoint(c, [2, 2, 1]);
  assert.ok(Math.abs(p.u - 640) < 1e-9 && Math.abs(p.v - 360) < 1e-9);
  assert.ok(Math.abs(p.depth - 2) < 1e-9);
});

test('projection matrix agrees with projectPoint and pixelRay inverts it', () => {
  const c = camera([0, 0, 3], [3, 4, 0]);
  const X: Vec3 = [2.5, 3.1, 1.2];
  const p = projectPoint(c, X);
  const P = projectionMatrix(c);
  const h = [0, 1, 2].map((r) => P[r * 4]! * X[0] + P[r * 4 + 1]! * X[1] + P[r * 4 + 2]! * X[2] + P[r * 4 + 3]!);
  assert.ok(Math.abs(h[0]! / h[2]! - p.u) < 1e-6 && Math.abs(h[1]! / h[2]! - p.v) < 1e-6);
  const ray = pixelRay(c, p.u, p.v);
  const toX = [X[0] - ray.origin[0], X[1] - ray.origin[1], X[2] - ray.origin[2]];
  const along = toX[0]! * ray.dir[0] + toX[1]! * ray.dir[1] + toX[2]! * ray.dir[2];
  const off = Math.hypot(toX[0]! - along * ray.dir[0], toX[1]! - along * ray.dir[1], toX[2]! - along * ray.dir[2]);
  assert.ok(off < 1e-9);
});
