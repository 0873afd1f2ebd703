/**
 * Floor and volume geometry shared by the digital twin, camera coverage and the planner: segment-versus-box tests
 * for occlusion, point-in-polygon and area for floor outlines.
 */
import type { Box, Vec2, Vec3 } from './schema.ts';

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

/** Floor area of a simple polygon (shoelace), m². */
export function polygonArea(poly: readonly Vec2[]): number {
  let twice = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    twice += poly[j]![0] * poly[i]![1] - poly[i]![0] * poly[j]![1];
  }
  return Math.abs(twice) / 2;
}
