/**
 * Small geometry helpers for the digital twin: segment-versus-box tests for occlusion, point-in-polygon for the
 * floor, and the point in front of a plate a reaching hand goes to.
 */
import type { Box, Vec2, Vec3 } from '../store/schema.ts';
import type { PlateInfo } from '../store/store.ts';

/** True when the segment from `a` to `b` passes through the box (slab test), ignoring the last `skipEnd` of it. */
export function segmentHitsBox(a: Vec3, b: Vec3, box: Box, skipEnd = 0): boolean {
  let t0 = 0;
  let t1 = 1 - skipEnd;
  for (let axis = 0; axis < 3; axis++) {
    const start = a[axis]!;
    const d = b[axis]! - start;
    const lo = box.min[axis]!;
    const hi = box.max[axis]!;
    if (Math.abs(d) < 1e-12) {
      if (start < lo || start > hi) return false;
      continue;
    }
    let ta = (lo - start) / d;
    let tb = (hi - start) / d;
    if (ta > tb) [ta, tb] = [tb, ta];
    if (ta > t0) t0 = ta;
    if (tb < t1) t1 = tb;
    if (t0 > t1) return false;
  }
  return true;
}

export function pointInPolygon(p: Vec2, poly: readonly Vec2[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inBox(p: Vec3, box: Box): boolean {
  return (
    p[0] >= box.min[0] &&
    p[0] <= box.max[0] &&
    p[1] >= box.min[1] &&
    p[1] <= box.max[1] &&
    p[2] >= box.min[2] &&
    p[2] <= box.max[2]
  );
}

/**
 * Where a hand goes to take from a plate: `out` metres in front of the plate's front edge (inside the reach volume,
 * outside the fixture), `up` metres above the plate, at `along` (0..1) across its width.
 */
export function plateHandPoint(info: PlateInfo, out = 0.08, up = 0.14, along = 0.5): Vec3 {
  const { box } = info.plate;
  const [fx, fy] = info.fixture.facing;
  const z = box.max[2] + up;
  if (Math.abs(fx) > Math.abs(fy)) {
    const x = fx > 0 ? box.max[0] + out : box.min[0] - out;
    return [x, box.min[1] + (box.max[1] - box.min[1]) * along, z];
  }
  const y = fy > 0 ? box.max[1] + out : box.min[1] - out;
  return [box.min[0] + (box.max[0] - box.min[0]) * along, y, z];
}

/** The floor point a shopper stands at to reach a plate: `stand` metres out from the fixture front. */
export function plateStandPoint(info: PlateInfo, stand = 0.45): Vec2 {
  const p = plateHandPoint(info, stand, 0);
  return [p[0], p[1]];
}
