/**
 * Where on a plate each product sits. A multi-SKU plate holds its SKUs side by side in lanes of equal width, in
 * planogram order along the shelf (the axis across the fixture's facing); a hand reaching for one reaches into its
 * lane. The simulator reaches there and fusion reads the hand's position against it [F2].
 */
import type { PlateInfo } from './store.ts';

/** The floor axis a shelf runs along: x (0) or y (1), the one across the fixture's facing. */
export function shelfAxis(info: PlateInfo): 0 | 1 {
  const [fx, fy] = info.fixture.facing;
  return Math.abs(fx) > Math.abs(fy) ? 1 : 0;
}

/**
 * The lane of `sku` on the plate as fractions [from, to] of the plate's length along its shelf (0 at the plate's
 * lower end); undefined when the plate does not lay it out in a lane of its own (one SKU, a mixed plate, or not
 * in the planogram).
 */
export function laneOf(info: PlateInfo, sku: string): [number, number] | undefined {
  const { skus, mixed } = info.plate;
  const k = skus.indexOf(sku);
  if (k < 0 || skus.length < 2 || mixed) return undefined;
  return [k / skus.length, (k + 1) / skus.length];
}

/** A point's position along the plate's length as a fraction (outside [0, 1] beyond its ends), and the length. */
export function alongPlate(info: PlateInfo, point: readonly number[]): { along: number; length: number } {
  const axis = shelfAxis(info);
  const lo = info.plate.box.min[axis]!;
  const length = info.plate.box.max[axis]! - lo;
  return { along: (point[axis]! - lo) / length, length };
}
