import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectPoint } from '../store/camera.ts';
import type { CameraDef } from '../store/schema.ts';
import { checkCamera, checkRotation, reprojectionError } from './calibration-check.ts';
import { syntheticStore } from './synthetic.ts';

const store = syntheticStore({ width: 6, depth: 5, grid: [2, 2], cameraHeight: 3 }).def;
const good = store.cameras[0]!;
const codes = (c: CameraDef) => checkCamera(c, store).issues.map((i) => i.code);
const variant = (patch: Partial<CameraDef>): CameraDef => ({ ...good, ...patch });

test('a sound ceiling camera passes', () => {
  const report = checkCamera(good, store);
  assert.equal(report.ok, true, JSON.stringify(report.issues));
  assert.deepEqual(report.issues, []);
});

test('each absurd calibration gets its own clear error', () => {
  const r = good.pose.rotation;
  assert.deepEqual(codes(variant({ pose: { ...good.pose, rotation: r.map((v) => v * 1.1) } })), ['BAD_ROTATION']);
  // Normalised intrinsics (K divided by the image size) are a classic mistake: a 179.9° field of view.
  assert.deepEqual(codes(variant({ intrinsics: { fx: 0.8, fy: 1.4, cx: 0.5, cy: 0.46 } })).slice(0, 1), ['BAD_FOCAL']);
  assert.ok(codes(variant({ intrinsics: { ...good.intrinsics, cx: 5000 } })).includes('BAD_PRINCIPAL_POINT'));
  const below = { ...good.pose, position: [1, 1, -0.5] as [number, number, number] };
  assert.ok(codes(variant({ pose: below })).includes('BELOW_FLOOR'));
  // Inches instead of metres: 95 "metres" up.
  assert.ok(codes(variant({ pose: { ...good.pose, position: [60, 40, 95] } })).includes('BELOW_FLOOR'));
  const away = { ...good.pose, position: [40, 40, 3] as [number, number, number] };
  assert.deepEqual(codes(variant({ pose: away })), ['SEES_NOTHING']);
  const report = checkCamera(variant({ distortion: [-0.47, 0.2, 0, 0, 0] }), store);
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.issues.map((i) => [i.code, i.severity]),
    [['DISTORTION_IGNORED', 'warning']],
  );
});

test('a reflection is not a rotation', () => {
  assert.match(checkRotation([1, 0, 0, 0, 1, 0, 0, 0, -1]) ?? '', /reflection/);
  assert.equal(checkRotation([1, 0, 0, 0, 1, 0, 0, 0, 1]), undefined);
  assert.match(checkRotation([1, 0, 0]) ?? '', /9 finite numbers/);
});

test('reprojection error of surveyed points', () => {
  const world: [number, number, number][] = [
    [1, 1, 0],
    [2, 1.5, 0],
    [1.5, 2, 1],
  ];
  const exact = world.map((w) => {
    const p = projectPoint(good, w);
    return { world: w, pixel: [p.u, p.v] as [number, number] };
  });
  const r = reprojectionError(good, exact);
  assert.ok(r.ok && r.value.rmsPx < 1e-9);
  const off = exact.map((c, i) =>
    i === 1 ? { ...c, pixel: [c.pixel[0] + 3, c.pixel[1] + 4] as [number, number] } : c,
  );
  const r2 = reprojectionError(good, off);
  assert.ok(r2.ok);
  assert.ok(Math.abs(r2.value.maxPx - 5) < 1e-9);
  assert.ok(Math.abs(r2.value.rmsPx - Math.sqrt(25 / 3)) < 1e-9);
  const behind = reprojectionError(good, [{ world: [1, 1, 5], pixel: [0, 0] }]);
  assert.deepEqual(behind.ok ? 'ok' : behind.code, 'BEHIND_CAMERA');
  assert.deepEqual(reprojectionError(good, []).ok, false);
});
