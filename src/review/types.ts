/**
 * Review cases: shelf events the engine could not decide with enough confidence, with their alternatives.
 */
import type { ItemCount } from '../weight/types.ts';

export interface ReviewAlternative {
  /** Session to charge, or null for "nobody" (a staff action, a drop, a sensor glitch). */
  sessionId: string | null;
  items: ItemCount[];
  probability: number;
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
