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

/** The event's plates of one shelf as one row of lanes: where along the shelf each SKU lies. */
export interface LaneRow {
  /** Each SKU's lane as fractions [from, to] of the row's length. */
  lanes: ReadonlyMap<string, readonly [number, number]>;
  /** A point's position along the row (fraction; outside [0, 1] beyond its ends) and the row's length (m). */
  along: (point: readonly number[]) => { along: number; length: number };
}

/**
 * Plates of one shelf read as one row: a one-SKU plate is one lane, a multi-SKU plate its lanes (`laneOf`), a
 * mixed plate none; a SKU on two of the plates spans both. So a hand is read against the SKUs of neighbouring plates
 * as against the lanes of one (a change spread over two plates by an item lying across them). Undefined with fewer
 * than two lanes: one lane tells nothing apart.
 */
export function laneRow(infos: readonly PlateInfo[]): LaneRow | undefined {
  const first = infos[0];
  if (!first) return undefined;
  const axis = shelfAxis(first);
  const lo = Math.min(...infos.map((i) => i.plate.box.min[axis]!));
  const length = Math.max(...infos.map((i) => i.plate.box.max[axis]!)) - lo;
  const spans = new Map<string, [number, number]>();
  for (const info of infos) {
    const from = info.plate.box.min[axis]!;
    const size = info.plate.box.max[axis]! - from;
    const { skus } = info.plate;
    for (const sku of skus) {
      const lane = skus.length === 1 ? ([0, 1] as const) : laneOf(info, sku);
      if (!lane) continue;
      const [a, b] = [(from + lane[0] * size - lo) / length, (from + lane[1] * size - lo) / length];
      const known = spans.get(sku);
      spans.set(sku, known ? [Math.min(known[0], a), Math.max(known[1], b)] : [a, b]);
    }
  }
  if (spans.size < 2) return undefined;
  return { lanes: spans, along: (point) => ({ along: (point[axis]! - lo) / length, length }) };
}
