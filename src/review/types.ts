/**
 * Review cases: shelf events the engine could not decide with enough confidence, with their alternatives.
 */
import type { ItemCount } from '../weight/types.ts';

export interface ReviewAlternative {
  /** Session to charge, or null for "nobody" (a staff action, a drop, a sensor glitch). */
  sessionId: string | null;
  items: ItemCount[];
  probability: number;
  /** Other shoppers charged in the same outcome: two takes at one plate that the shelf saw as one change. */
  with?: ChargeShare[];
}

export interface ChargeShare {
  sessionId: string;
  items: ItemCount[];
}

/** Every unit an alternative moves off (or onto) the shelf, all sessions together. */
export function allItems(a: { items: readonly ItemCount[]; with?: readonly ChargeShare[] }): ItemCount[] {
  return [...a.items, ...(a.with ?? []).flatMap((s) => s.items)];
}

/** Each session an alternative (or a committed decision) charges, with its part. */
export function charges(a: {
  sessionId: string | null;
  items: ItemCount[];
  with?: readonly ChargeShare[];
}): ChargeShare[] {
  return [...(a.sessionId === null ? [] : [{ sessionId: a.sessionId, items: a.items }]), ...(a.with ?? [])];
}

export interface ReviewCase {
  caseId: string;
  shelfEventId: string;
  opened: number;
  reason: string;
  alternatives: ReviewAlternative[];
  /** The decision's confidence when the case opened (below the store's threshold), when fusion gave one. */
  confidence?: number;
  /** Sessions whose receipts wait on this case. */
  blocking: string[];
}

export interface ReviewResolution {
  caseId: string;
  /** Index into alternatives, or a custom decision. */
  choice: ReviewAlternative;
  reviewer: string;
  t: number;
}
