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

/**
 * Why a reviewer's choice cannot be applied, or null: its products must be in the catalogue, every unit count
 * non-zero, and each session it charges must exist. (One whose receipt is already final may be named: the answer is
 * the truth of the log, its line marked `afterFinal`, though nothing charges after a final receipt yet.)
 */
export function choiceProblem(
  choice: { sessionId: string | null; items: ItemCount[]; with?: readonly ChargeShare[] },
  known: { hasProduct(sku: string): boolean; hasSession(sessionId: string): boolean },
): string | null {
  for (const { sku, qty } of allItems(choice)) {
    if (!known.hasProduct(sku)) return `no product ${sku} in the catalogue`;
    if (!Number.isInteger(qty) || qty === 0) return `${qty} is not a count of ${sku}`;
  }
  for (const { sessionId } of charges(choice)) if (!known.hasSession(sessionId)) return `no session ${sessionId}`;
  return null;
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
  /**
   * Put-backs other likely answers made of SKUs the top answer does not move: the plate may hold them too until the
   * reviewer says (its stock carries them meanwhile, like the top answer's items).
   */
  maybeOnPlate?: ItemCount[];
}

export interface ReviewResolution {
  caseId: string;
  /** Index into alternatives, or a custom decision. */
  choice: ReviewAlternative;
  reviewer: string;
  t: number;
}

/**
 * How a resolution moves plate stock the case already moved by `applied`: a put-back the chosen answer shares stays
 * where it is (undone and redone, a unit a later pick took would come back, as stock never goes below zero); the
 * rest of `applied` is undone and the rest of `chosen` applied.
 */
export function resolutionMoves<T extends ItemCount>(
  applied: readonly T[],
  chosen: readonly ItemCount[],
): { undo: T[]; apply: ItemCount[] } {
  const returned = new Map<string, number>();
  for (const { sku, qty } of chosen) if (qty < 0) returned.set(sku, (returned.get(sku) ?? 0) + qty);
  const undo: T[] = [];
  for (const m of applied) {
    const shared = m.qty < 0 ? Math.max(m.qty, returned.get(m.sku) ?? 0) : 0;
    if (shared < 0) returned.set(m.sku, (returned.get(m.sku) ?? 0) - shared);
    if (m.qty !== shared) undo.push({ ...m, qty: m.qty - shared });
  }
  const taken = chosen.filter((i) => i.qty > 0);
  const back = [...returned].filter(([, qty]) => qty < 0).map(([sku, qty]) => ({ sku, qty }));
  return { undo, apply: [...taken, ...back] };
}
