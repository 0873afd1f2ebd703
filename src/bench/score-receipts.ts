/**
 * Receipt scoring: the engine's receipts against the true ones, per (visit, SKU) as the AutoCheckout competition
 * scored them. A unit charged to the wrong shopper is a false positive on that shopper and a miss on the right one;
 * a visit without a receipt missed everything it took. Staff visits are kept out of the shopper figures but any
 * charge to staff is reported. Pure: no I/O, no clock.
 */
import type { Receipt } from '../checkout/types.ts';
import type { TruthVisit } from '../sim/truth.ts';
import type { ItemCount } from '../weight/types.ts';
import { per1000, prf, ratio } from './stats.ts';

/** The part of a receipt the score reads; engine receipts and receipts folded from cart lines both fit. */
export type ScoredReceipt = Pick<Receipt, 'visit' | 'lines' | 'total'>;

export interface VisitReceiptScore {
  visit: string;
  /** Every SKU charged in exactly the quantity taken (prices aside). */
  exact: boolean;
  tp: number;
  fp: number;
  fn: number;
  missingReceipt: boolean;
  /** Charged for at least one unit not taken. */
  overcharged: boolean;
  /** Not charged for at least one unit taken. */
  undercharged: boolean;
  trueAmount: number;
  chargedAmount: number;
}

export interface ReceiptScore {
  /** Shopper visits scored (staff excluded). */
  visits: number;
  exactReceipts: number;
  exactReceiptRate: number | null;
  tp: number;
  fp: number;
  fn: number;
  itemPrecision: number;
  itemRecall: number;
  itemF1: number;
  overchargedVisits: number;
  underchargedVisits: number;
  overchargedVisitsPer1000: number;
  underchargedVisitsPer1000: number;
  missingReceipts: number;
  trueRevenue: number;
  chargedRevenue: number;
  /** Σ|charged − true| / Σ true, over visits; null when nothing was truly bought. */
  revenueErrorAbs: number | null;
  /** Σ(charged − true) / Σ true: positive means the store charged too much overall. */
  revenueErrorSigned: number | null;
  /** Receipts whose visit is not a known visit: every unit on them is a false positive. */
  unmatchedReceipts: number;
  staffVisits: number;
  /** Staff visits charged for at least one unit, and how many units in all. */
  staffVisitsCharged: number;
  staffUnitsCharged: number;
  perVisit: VisitReceiptScore[];
}

/** Net units per SKU; lines of one SKU are summed and a net below zero counts as nothing charged. */
export function unitsBySku(items: readonly ItemCount[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const { sku, qty } of items) units.set(sku, (units.get(sku) ?? 0) + qty);
  for (const [sku, qty] of units) if (qty <= 0) units.delete(sku);
  return units;
}

function compareUnits(truth: Map<string, number>, charged: Map<string, number>) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const sku of new Set([...truth.keys(), ...charged.keys()])) {
    const t = truth.get(sku) ?? 0;
    const c = charged.get(sku) ?? 0;
    tp += Math.min(t, c);
    fp += Math.max(0, c - t);
    fn += Math.max(0, t - c);
  }
  return { tp, fp, fn };
}

function amountOf(items: readonly ItemCount[], prices: ReadonlyMap<string, number>): number {
  return items.reduce((sum, { sku, qty }) => sum + qty * (prices.get(sku) ?? 0), 0);
}

function scoreVisit(
  visit: TruthVisit,
  receipt: ScoredReceipt | undefined,
  prices: ReadonlyMap<string, number>,
): VisitReceiptScore {
  const truth = unitsBySku(visit.receipt);
  const charged = unitsBySku(receipt?.lines ?? []);
  const { tp, fp, fn } = compareUnits(truth, charged);
  return {
    visit: visit.visit,
    exact: fp === 0 && fn === 0,
    tp,
    fp,
    fn,
    missingReceipt: receipt === undefined,
    overcharged: fp > 0,
    undercharged: fn > 0,
    trueAmount: amountOf(visit.receipt, prices),
    chargedAmount: receipt?.total ?? 0,
  };
}

/**
 * Scores receipts against truth. `receipts` holds at most one receipt per visit (the last one wins when several
 * share a visit id); `prices` (minor units per SKU) values the true receipts.
 */
export function scoreReceipts(
  visits: readonly TruthVisit[],
  receipts: readonly ScoredReceipt[],
  prices: ReadonlyMap<string, number>,
): ReceiptScore {
  const byVisit = new Map(receipts.map((r) => [r.visit, r]));
  const known = new Set(visits.map((v) => v.visit));
  const perVisit: VisitReceiptScore[] = [];
  let staffVisits = 0;
  let staffVisitsCharged = 0;
  let staffUnitsCharged = 0;
  for (const visit of visits) {
    const receipt = byVisit.get(visit.visit);
    if (visit.staff) {
      staffVisits += 1;
      const units = [...unitsBySku(receipt?.lines ?? []).values()].reduce((a, b) => a + b, 0);
      if (units > 0) staffVisitsCharged += 1;
      staffUnitsCharged += units;
      continue;
    }
    perVisit.push(scoreVisit(visit, receipt, prices));
  }
  const unmatched = [...byVisit.values()].filter((r) => !known.has(r.visit));
  const phantomUnits = unmatched.reduce(
    (sum, r) => sum + [...unitsBySku(r.lines).values()].reduce((a, b) => a + b, 0),
    0,
  );
  const phantomAmount = unmatched.reduce((sum, r) => sum + r.total, 0);

  const sum = (f: (v: VisitReceiptScore) => number) => perVisit.reduce((acc, v) => acc + f(v), 0);
  const count = (f: (v: VisitReceiptScore) => boolean) => perVisit.filter(f).length;
  const tp = sum((v) => v.tp);
  const fp = sum((v) => v.fp) + phantomUnits;
  const fn = sum((v) => v.fn);
  const { precision, recall, f1 } = prf(tp, fp, fn);
  const trueRevenue = sum((v) => v.trueAmount);
  const chargedRevenue = sum((v) => v.chargedAmount) + phantomAmount;
  const absError = sum((v) => Math.abs(v.chargedAmount - v.trueAmount)) + Math.abs(phantomAmount);
  const overchargedVisits = count((v) => v.overcharged);
  const underchargedVisits = count((v) => v.undercharged);
  const exactReceipts = count((v) => v.exact);
  return {
    visits: perVisit.length,
    exactReceipts,
    exactReceiptRate: ratio(exactReceipts, perVisit.length),
    tp,
    fp,
    fn,
    itemPrecision: precision,
    itemRecall: recall,
    itemF1: f1,
    overchargedVisits,
    underchargedVisits,
    overchargedVisitsPer1000: per1000(overchargedVisits, perVisit.length),
    underchargedVisitsPer1000: per1000(underchargedVisits, perVisit.length),
    missingReceipts: count((v) => v.missingReceipt),
    trueRevenue,
    chargedRevenue,
    revenueErrorAbs: ratio(absError, trueRevenue),
    revenueErrorSigned: ratio(chargedRevenue - trueRevenue, trueRevenue),
    unmatchedReceipts: unmatched.length,
    staffVisits,
    staffVisitsCharged,
    staffUnitsCharged,
    perVisit,
  };
}
