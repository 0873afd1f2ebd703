/**
 * Which lane a hand reached into [F2]. Weight alone cannot tell two flavours of one weight apart, nor one unit of a
 * product from two of a neighbour half its weight, nor which of two plates an item lying across both came from;
 * where along the shelf the hand went can, when the planogram lays the SKUs out in lanes (`src/store/lanes.ts`):
 * the lanes of a multi-SKU plate, or one-SKU plates side by side.
 */
import type { LaneRow } from '../store/lanes.ts';
import type { Vec3 } from '../store/schema.ts';
import type { ItemCount } from '../weight/types.ts';
import type { FusionConfig } from './config.ts';

/** Where a hand reached in, and how sure the cameras are of it (1-σ, m). */
export interface Reach {
  point: Vec3;
  sigma: number;
}

/**
 * How well the hand's position fits the lanes of an option's SKUs, against the best-fitting lane of the same row
 * (so at most 1, and 1 for the lane the hand was in: it weighs SKUs, not shoppers); several SKUs average. A SKU with
 * no lane on an event of one row (an item misplaced there) may lie anywhere on it: uniform. `placed`: some SKU of
 * the option has a lane. Undefined when the lanes say nothing: no reach seen, no row, or no SKU on them.
 */
export function laneFactor(
  reach: Reach | undefined,
  items: readonly ItemCount[],
  rows: readonly LaneRow[] | undefined,
  config: FusionConfig,
): { fit: number; placed: boolean } | undefined {
  if (!reach || !rows?.length) return undefined;
  const fits: number[] = [];
  let placed = false;
  for (const { sku } of items) {
    const row = rows.find((r) => r.lanes.has(sku)) ?? (rows.length === 1 ? rows[0] : undefined);
    if (!row) continue;
    const { along, length } = row.along(reach.point);
    const sigma = Math.max(reach.sigma, config.laneSigmaFloorM) / length;
    const density = (lane: readonly [number, number]) => laneDensity(along, lane, sigma, config.laneMissShare);
    const best = Math.max(...[...row.lanes.values()].map(density));
    const lane = row.lanes.get(sku);
    placed ||= lane !== undefined;
    fits.push((lane ? density(lane) : 1) / best);
  }
  return fits.length > 0 ? { fit: fits.reduce((s, f) => s + f, 0) / fits.length, placed } : undefined;
}

/**
 * Density of a hand at `x` (fractions of the row) for a reach into lane [a, b]: uniform over the lane blurred by
 * the wrist's uncertainty, and a `miss` share anywhere on the row (an item pushed aside, a wrist misread).
 */
function laneDensity(x: number, [a, b]: readonly [number, number], sigma: number, miss: number): number {
  const inLane = (normalCdf((b - x) / sigma) - normalCdf((a - x) / sigma)) / (b - a);
  return (1 - miss) * inLane + miss;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
