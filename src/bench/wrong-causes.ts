/**
 * Why receipts are wrong before review: each shopper visit whose receipt (as the engine charged it by itself) is not
 * exact, put down to one cause, the first that fits: a review case holds it; it dropped on the floor an item it is
 * charged wrongly for (cameras see no products: only staff's find can correct it); it handed such an item to another
 * visit or got one from one; else the engine decided it wrong. This is what keeps the exact-receipt and overcharge
 * figures from their targets, and so where work should go. Pure.
 */
import type { TruthInteraction, TruthPerson, TruthVisit } from '../sim/truth.ts';
import { type ScoredReceipt, unitsBySku, type VisitReceiptScore } from './score-receipts.ts';

export interface WrongCauses {
  heldByReview: number;
  droppedOnFloor: number;
  handedOver: number;
  decidedWrong: number;
}

export interface WrongCauseInputs {
  perVisit: readonly Pick<VisitReceiptScore, 'visit' | 'exact'>[];
  visits: readonly Pick<TruthVisit, 'visit' | 'receipt'>[];
  receipts: readonly ScoredReceipt[];
  interactions: readonly TruthInteraction[];
  people: readonly Pick<TruthPerson, 'personId' | 'visit'>[];
  /** Shopper visits a review case held before anyone answered. */
  heldByReview: ReadonlySet<string>;
}

export function wrongCauses(input: WrongCauseInputs): WrongCauses {
  const out: WrongCauses = { heldByReview: 0, droppedOnFloor: 0, handedOver: 0, decidedWrong: 0 };
  const truthOf = new Map(input.visits.map((v) => [v.visit, unitsBySku(v.receipt)]));
  const chargedOf = new Map(input.receipts.map((r) => [r.visit, unitsBySku(r.lines)]));
  const visitOf = new Map(input.people.map((p) => [p.personId, p.visit]));
  for (const { visit, exact } of input.perVisit) {
    if (exact) continue;
    if (input.heldByReview.has(visit)) {
      out.heldByReview += 1;
      continue;
    }
    const wrong = wrongSkus(truthOf.get(visit) ?? new Map(), chargedOf.get(visit) ?? new Map());
    const touches = (kind: TruthInteraction['kind']) =>
      input.interactions.some((i) => {
        if (i.kind !== kind || i.sku === null || !wrong.has(i.sku)) return false;
        const to = i.toPersonId === undefined ? undefined : visitOf.get(i.toPersonId);
        return i.visit === visit || to === visit;
      });
    if (touches('drop')) out.droppedOnFloor += 1;
    else if (touches('handoff')) out.handedOver += 1;
    else out.decidedWrong += 1;
  }
  return out;
}

/** SKUs charged in another quantity than taken. */
function wrongSkus(truth: Map<string, number>, charged: Map<string, number>): Set<string> {
  const skus = new Set([...truth.keys(), ...charged.keys()]);
  return new Set([...skus].filter((s) => (truth.get(s) ?? 0) !== (charged.get(s) ?? 0)));
}
