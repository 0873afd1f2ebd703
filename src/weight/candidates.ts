/**
 * Which SKUs could have left (or reached) a group of plates, with their priors and location shares: the planogram and the current
 * stock of the plates (misplaced items included), their neighbours at a small prior, and for put-backs any product
 * of the store (a shopper may return an item anywhere).
 */
import type { Store } from '../store/store.ts';
import type { WeightConfig } from './config.ts';
import type { Candidate } from './hypotheses.ts';

export type StockOf = (plateId: string) => ReadonlyMap<string, number>;

interface Tally {
  share: number;
  stock: number;
  home: boolean;
}

/**
 * Candidates for a change of `grams` (removal-positive) spread as `gramsByPlate`.
 * `withNeighbours`: also SKUs of the plates beside them (an item resting on the wrong plate).
 */
export function candidatesFor(
  store: Store,
  stock: StockOf,
  gramsByPlate: ReadonlyMap<string, number>,
  grams: number,
  cfg: WeightConfig,
  withNeighbours = true,
): Candidate[] {
  let totalAbs = 0;
  for (const g of gramsByPlate.values()) totalAbs += Math.abs(g);
  const plates = new Set(gramsByPlate.keys());
  if (withNeighbours)
    for (const id of gramsByPlate.keys()) for (const n of store.plates.get(id)?.neighbours ?? []) plates.add(n);
  const tally = new Map<string, Tally>();
  const entry = (sku: string): Tally => {
    const known = tally.get(sku);
    if (known) return known;
    const fresh = { share: 0, stock: 0, home: false };
    tally.set(sku, fresh);
    return fresh;
  };

  for (const id of plates) {
    const here = Math.abs(gramsByPlate.get(id) ?? 0) / (totalAbs || 1);
    const carried = new Set<string>();
    for (const sku of store.plates.get(id)?.plate.skus ?? []) {
      entry(sku).home = true;
      carried.add(sku);
    }
    for (const [sku, n] of stock(id)) {
      if (n <= 0) continue;
      entry(sku).stock += n;
      carried.add(sku);
    }
    for (const sku of carried) entry(sku).share += here;
  }
  const pick = grams > 0;
  const out: Candidate[] = [];
  for (const [sku, t] of [...tally].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const product = store.products.get(sku);
    if (!product || (pick && t.stock <= 0)) continue;
    const prior = t.home ? 1 : cfg.misplacedPrior;
    out.push({
      sku,
      mean: product.unitWeight.mean,
      sd: product.unitWeight.sd,
      prior,
      share: Math.min(1, t.share),
      stock: t.stock,
      local: true,
    });
  }
  if (!pick) {
    // A foreign return: any other product, sharing one small prior.
    const foreign = store.def.products.filter((p) => !tally.has(p.sku));
    for (const p of foreign) {
      out.push({
        sku: p.sku,
        mean: p.unitWeight.mean,
        sd: p.unitWeight.sd,
        prior: cfg.foreignReturnPrior / foreign.length,
        stock: 0,
        local: false,
      });
    }
  }
  return out;
}

/** Lightest unit among candidates (what the smallest real event could weigh). */
export function lightestUnit(candidates: readonly Candidate[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const c of candidates) min = Math.min(min, c.mean);
  return min;
}
