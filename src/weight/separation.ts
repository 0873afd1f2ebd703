/**
 * Which SKUs on one plate the weight stage cannot tell apart. A shelf that senses weight identifies a product by its
 * grams, so two flavours of one can on a plate leave every pick from it to review (or to a camera that can read the
 * product). `walkout store check` flags such plates so a store mixes only products weight can split, and the example
 * stores follow it. The unit spread is the weight stage's own (`relativeTolerance`), so "separable" here means
 * separable there.
 */
import type { Store } from '../store/store.ts';
import { DEFAULT_WEIGHT_CONFIG } from './config.ts';

export interface UnitWeight {
  mean: number;
  sd: number;
}

/** Separation (in σ) that a single pick needs to be told apart reliably: same or neighbouring multi-unit counts. */
export const MIN_WEIGHT_SEPARATION_Z = 4;
/** Load-cell noise (g, 1-σ) on a settled difference, added to the products' own spread. */
const PLATE_NOISE_GRAMS = 2;

/** One unit's spread as the weight stage sees it: the product's sd and its relative tolerance. */
function unitSigma(w: UnitWeight, relativeTolerance: number): number {
  return Math.hypot(w.sd, relativeTolerance * w.mean);
}

/** How many σ apart one unit of `a` and one of `b` weigh on a plate, as the weight stage scores them. */
export function weightSeparation(
  a: UnitWeight,
  b: UnitWeight,
  relativeTolerance = DEFAULT_WEIGHT_CONFIG.relativeTolerance,
): number {
  const sigma = Math.hypot(unitSigma(a, relativeTolerance), unitSigma(b, relativeTolerance), PLATE_NOISE_GRAMS);
  return Math.abs(a.mean - b.mean) / sigma;
}

export interface LookAlikePlate {
  plateId: string;
  skus: [string, string];
  /** Their separation in σ (below `MIN_WEIGHT_SEPARATION_Z`). */
  z: number;
}

/** Every plate holding two SKUs closer than `minZ` σ, with the closest pair. */
export function lookAlikePlates(store: Store, minZ = MIN_WEIGHT_SEPARATION_Z): LookAlikePlate[] {
  const out: LookAlikePlate[] = [];
  for (const [plateId, info] of store.plates) {
    let worst: LookAlikePlate | undefined;
    const skus = info.plate.skus;
    for (let i = 0; i < skus.length; i++) {
      for (let j = i + 1; j < skus.length; j++) {
        const a = store.products.get(skus[i]!);
        const b = store.products.get(skus[j]!);
        if (!a || !b) continue;
        const z = weightSeparation(a.unitWeight, b.unitWeight);
        if (z < minZ && (!worst || z < worst.z)) worst = { plateId, skus: [skus[i]!, skus[j]!], z };
      }
    }
    if (worst) out.push(worst);
  }
  return out;
}
