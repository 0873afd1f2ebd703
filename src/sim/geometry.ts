/**
 * Small geometry helpers for the digital twin: segment-versus-box tests for occlusion, point-in-polygon for the
 * floor, and the point in front of a plate a reaching hand goes to.
 */
import type { Box, Vec2, Vec3 } from '../store/schema.ts';
import type { PlateInfo } from '../store/store.ts';

export { pointInPolygon, segmentHitsBox } from '../store/geometry.ts';

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
