/**
 * Cart ledger entries: append-only lines per session, each pointing to the evidence behind it.
 */
export type CartLineKind = 'add' | 'remove' | 'correction';

export interface CartLine {
  lineId: string;
  sessionId: string;
  kind: CartLineKind;
  sku: string;
  /** Signed units: +n adds to the cart, -n takes out (a put-back or a correction). */
  qty: number;
  unitPrice: number;
  /** Shelf event, review case, handoff (hands met between two shoppers) or item found on the floor behind it. */
  evidence: { shelfEventId?: string; reviewCaseId?: string; handoffId?: string; foundId?: string; note?: string };
  /** Probability the decision is right, 0..1 (1 for a reviewer's decision). */
  confidence: number;
  t: number;
  /**
   * Appended after the session closed (its receipt final, or none: a timeout or a staff visit): on no receipt. The
   * shopper journey refunds an item found on the floor; a reviewer's late answer is charged by nothing yet.
   */
  afterFinal?: boolean;
}
