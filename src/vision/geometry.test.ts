import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../sim/random.ts';
import { lookAtRotation } from '../store/camera.ts';
import type { CameraDef, Vec3 } from '../store/schema.ts';
import {
  cameraModel,
  distanceToBox,
  insidePolygon,
  type JointView,
  project,
  rayAtHeight,
  triangulate,
} from './geometry.ts';

const camera = (id: string, from: Vec3, to: Vec3): CameraDef => ({
  id,
  resolution: [1280, 960],
  fps: 15,
  intrinsics: { fx: 600, fy: 600, cx: 640, cy: 480 },
  pose: { position: from, rotation: lookAtRotation(from, to) },
  distortion: [],
});

const cams = [
  camera('a', [0, 0, 3], [2, 2, 0]),
  camera('b', [4, 0, 3], [2, 2, 0]),
  camera('c', [2, 4, 3.2], [2, 2, 0]),
  camera('d', [2, 2, 3.5], [2, 2.01, 0]),
].map(cameraModel);

test('triangulates a wrist to within 2 cm from four views with 2 px noise', () => {
  const random = createRng(3);
  const errors: number[] = [];
  for (let i = 0; i < 200; i++) {
    const X: Vec3 = [1 + random.next() * 2, 1 + random.next() * 2, 0.5 + random.next() * 1.2];
    const views: JointView[] = cams.map((cam) => {
      const [u, v] = project(cam, ...X);
      return { cam, u: u + 2 * random.gauss(), v: v + 2 * random.gauss(), weight: 1 };
    });
    const t = triangulate(views, 2);
    assert.ok(t, 'triangulated');
    errors.push(Math.hypot(t.X[0] - X[0], t.X[1] - X[1], t.X[2] - X[2]));
  }
  errors.sort((a, b) => a - b);
  assert.ok(errors[100]! < 0.02, `median ${errors[100]}`);
  assert.ok(errors[190]! < 0.05, `p95 ${errors[190]}`);
});

test('a low-confidence outlier view barely moves the estimate when weighted down', () => {
  const X: Vec3 = [2, 1.5, 1.2];
  const views: JointView[] = cams.map((cam, i) => {
    const [u, v] = project(cam, ...X);
    return i === 0 ? { cam, u: u + 60, v, weight: 0.05 } : { cam, u, v, weight: 1 };
  });
  const t = triangulate(views, 2)!;
  assert.ok(Math.hypot(t.X[0] - X[0], t.X[1] - X[1], t.X[2] - X[2]) < 0.02);
});

test('one view cannot be triangulated; its ray at a known height recovers the floor point', () => {
  const X: Vec3 = [2.5, 1.2, 0.95];
  const [u, v] = project(cams[0]!, ...X);
  assert.equal(triangulate([{ cam: cams[0]!, u, v, weight: 1 }], 2), undefined);
  const p = rayAtHeight(cams[0]!, u, v, 0.95)!;
  assert.ok(Math.hypot(p[0] - X[0], p[1] - X[1]) < 1e-9);
});

test('floor helpers: point in polygon and distance to a box', () => {
  const square: [number, number][] = [
    [0, 0],
    [2, 0],
    [2, 2],
    [0, 2],
  ];
  assert.equal(insidePolygon(1, 1, square), true);
  assert.equal(insidePolygon(3, 1, square), false);
  const box = { min: [0, 0, 1] as Vec3, max: [1, 1, 1.2] as Vec3 };
  assert.equal(distanceToBox([0.5, 0.5, 1.1], box), 0);
  assert.ok(Math.abs(distanceToBox([0.5, 1.3, 1.1], box) - 0.3) < 1e-12);
});
