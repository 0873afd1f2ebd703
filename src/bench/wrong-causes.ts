/**
 * Why receipts are wrong before review: each shopper visit whose receipt (as the engine charged it by itself) is not
 * exact, put down to one cause, the first that fits: review cases hold it, on every product it is wrong on; it is
 * charged for an item it dropped on the floor (cameras see no products: only staff's find can correct it); it is
 * charged for an item it handed to another visit, or not for one it got; else the engine decided it wrong. This is
 * what keeps the exact-receipt and overcharge figures from their targets, and so where work should go. Run again
 * on the receipts after review (nothing held then), it says what review leaves wrong. Pure.
 */
import { allItems, type ReviewCase } from '../review/types.ts';
import type { TruthInteraction, TruthPerson, TruthVisit } from '../sim/truth.ts';
import { type ScoredReceipt, unitsBySku, type VisitReceiptScore } from './score-receipts.ts';

type Cause = 'heldByReview' | 'droppedOnFloor' | 'handedOver' | 'decidedWrong';

/** Wrong visits counted by cause, and each of them listed: where to start tracing. */
export type WrongCauses = Record<Cause, number> & { visits: WrongVisit[] };

export interface WrongVisit {
  visit: string;
  cause: Cause;
  /** Units charged beyond (> 0) or short of (< 0) what the visit took, per SKU it is wrong on. */
  off: Record<string, number>;
}

export interface WrongCauseInputs {
  perVisit: readonly Pick<VisitReceiptScore, 'visit' | 'exact'>[];
  visits: readonly Pick<TruthVisit, 'visit' | 'receipt'>[];
  receipts: readonly ScoredReceipt[];
  interactions: readonly TruthInteraction[];
  people: readonly Pick<TruthPerson, 'personId' | 'visit'>[];
  /** For each visit review cases held before anyone answered, the products those cases could change. */
  heldByReview: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Each visit the cases hold, with the products any of their answers moves. */
export function heldProducts(cases: readonly Pick<ReviewCase, 'blocking' | 'alternatives'>[]) {
  const held = new Map<string, Set<string>>();
  for (const c of cases) {
    const skus = c.alternatives.flatMap((a) => allItems(a).map((i) => i.sku));
    for (const visit of c.blocking) held.set(visit, new Set([...(held.get(visit) ?? []), ...skus]));
  }
  return held;
}

export function wrongCauses(input: WrongCauseInputs): WrongCauses {
  const out: WrongCauses = { heldByReview: 0, droppedOnFloor: 0, handedOver: 0, decidedWrong: 0, visits: [] };
  const truthOf = new Map(input.visits.map((v) => [v.visit, unitsBySku(v.receipt)]));
  const chargedOf = new Map(input.receipts.map((r) => [r.visit, unitsBySku(r.lines)]));
  const visitOf = new Map(input.people.map((p) => [p.personId, p.visit]));
  for (const { visit, exact } of input.perVisit) {
    if (exact) continue;
    const truth = truthOf.get(visit) ?? new Map<string, number>();
    const charged = chargedOf.get(visit) ?? new Map<string, number>();
    // Units charged beyond (> 0) or short of (< 0) what the visit took.
    const off = (sku: string | null) => (sku === null ? 0 : (charged.get(sku) ?? 0) - (truth.get(sku) ?? 0));
    const wrong = [...new Set([...truth.keys(), ...charged.keys()])].filter((sku) => off(sku) !== 0).sort();
    const held = input.heldByReview.get(visit);
    const gave = (i: TruthInteraction) => i.visit === visit && off(i.sku) > 0;
    const got = (i: TruthInteraction) =>
      i.toPersonId !== undefined && visitOf.get(i.toPersonId) === visit && off(i.sku) < 0;
    const causeOf = (): Cause => {
      if (held && wrong.every((sku) => held.has(sku))) return 'heldByReview';
      if (input.interactions.some((i) => i.kind === 'drop' && gave(i))) return 'droppedOnFloor';
      if (input.interactions.some((i) => i.kind === 'handoff' && (gave(i) || got(i)))) return 'handedOver';
      return 'decidedWrong';
    };
    const cause = causeOf();
    out[cause] += 1;
    out.visits.push({ visit, cause, off: Object.fromEntries(wrong.map((sku) => [sku, off(sku)])) });
  }
  return out;
}
