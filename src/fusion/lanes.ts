/**
 * Which lane of a multi-SKU plate a hand reached into [F2]. Weight alone cannot tell two flavours of one weight
 * apart, nor one unit of a product from two of a neighbour half its weight; where along the plate the hand went
 * can, when the planogram lays the SKUs out in lanes (`src/store/lanes.ts`).
 */
import type { Vec3 } from '../store/schema.ts';
import type { ItemCount } from '../weight/types.ts';
import type { FusionConfig } from './config.ts';

/** One of the event's plates that lays its SKUs out in lanes. */
export interface PlateLanes {
  /** Each SKU's lane as fractions of the plate's length. */
  lanes: ReadonlyMap<string, readonly [number, number]>;
  /** A point's position along the plate (fraction) and the plate's length (m). */
  along: (point: Vec3) => { along: number; length: number };
}

/** Where a hand reached in, and how sure the cameras are of it (1-σ, m). */
export interface Reach {
  point: Vec3;
  sigma: number;
}

/**
 * How well the hand's position fits the lanes of an option's SKUs, against the best-fitting lane of the same plate
 * (so at most 1, and 1 for the lane the hand was in: it weighs SKUs, not shoppers); several SKUs average. A SKU with
 * no lane on a one-plate event with lanes (an item misplaced there) may lie anywhere on it: uniform. `placed`: some
 * SKU of the option has a lane. Undefined when the lanes say nothing: no reach seen, no lanes, or no SKU on them.
 */
export function laneFactor(
  reach: Reach | undefined,
  items: readonly ItemCount[],
  plates: readonly PlateLanes[] | undefined,
  config: FusionConfig,
): { fit: number; placed: boolean } | undefined {
  if (!reach || !plates?.length) return undefined;
  const fits: number[] = [];
  let placed = false;
  for (const { sku } of items) {
    const plate = plates.find((p) => p.lanes.has(sku)) ?? (plates.length === 1 ? plates[0] : undefined);
    if (!plate) continue;
    const { along, length } = plate.along(reach.point);
    const sigma = Math.max(reach.sigma, config.laneSigmaFloorM) / length;
    const density = (lane: readonly [number, number]) => laneDensity(along, lane, sigma, config.laneMissShare);
    const best = Math.max(...[...plate.lanes.values()].map(density));
    const lane = plate.lanes.get(sku);
    placed ||= lane !== undefined;
    fits.push((lane ? density(lane) : 1) / best);
  }
  return fits.length > 0 ? { fit: fits.reduce((s, f) => s + f, 0) / fits.length, placed } : undefined;
}

/**
 * Density of a hand at `x` (fractions of the plate) for a reach into lane [a, b]: uniform over the lane blurred by
 * the wrist's uncertainty, and a `miss` share anywhere on the plate (an item pushed aside, a wrist misread).
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
