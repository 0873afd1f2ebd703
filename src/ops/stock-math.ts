/**
 * The arithmetic behind the inventory's uncertainty and its weight checks: how unsure a decision leaves a count,
 * and which product's units best explain a weight difference. Pure.
 */
import type { Store } from '../store/store.ts';
import type { ItemCount } from '../weight/types.ts';

/** A decision right with probability p moves each SKU by qty, else (in the worst plain case) not at all. */
export function itemVariance(items: readonly ItemCount[], confidence: number): Map<string, number> {
  const out = new Map<string, number>();
  const p = Math.min(1, Math.max(0, confidence));
  for (const { sku, qty } of items) out.set(sku, (out.get(sku) ?? 0) + p * (1 - p) * qty * qty);
  return out;
}

/** Variance of each SKU's count over a review case's alternatives, weighted by their probabilities. */
export function reviewVariance(
  alternatives: readonly { items: ItemCount[]; probability: number }[],
): Map<string, number> {
  const skus = new Set(alternatives.flatMap((a) => a.items.map((i) => i.sku)));
  const total = alternatives.reduce((s, a) => s + a.probability, 0) || 1;
  const out = new Map<string, number>();
  for (const sku of skus) {
    const qty = alternatives.map((a) => a.items.filter((i) => i.sku === sku).reduce((s, i) => s + i.qty, 0));
    const mean = alternatives.reduce((s, a, k) => s + (a.probability / total) * qty[k]!, 0);
    const v = alternatives.reduce((s, a, k) => s + (a.probability / total) * (qty[k]! - mean) ** 2, 0);
    if (v > 0) out.set(sku, v);
  }
  return out;
}

/** The product (and how many of it) whose weight best explains `grams`, with its z-score; null for no products. */
export function likelySkuForGrams(
  store: Store,
  grams: number,
  options: { exclude?: readonly string[]; only?: readonly string[]; maxUnits?: number; sigmaGrams?: number } = {},
): { sku: string; qty: number; z: number } | null {
  const target = Math.abs(grams);
  const sigma = options.sigmaGrams ?? 3;
  let best: { sku: string; qty: number; z: number } | null = null;
  for (const product of store.def.products) {
    if (options.exclude?.includes(product.sku) || (options.only && !options.only.includes(product.sku))) continue;
    for (let n = 1; n <= (options.maxUnits ?? 3); n++) {
      const sd = Math.sqrt(n * product.unitWeight.sd ** 2 + sigma * sigma);
      const z = Math.abs(target - n * product.unitWeight.mean) / sd;
      if (!best || z < best.z) best = { sku: product.sku, qty: n, z };
    }
  }
  return best;
}
