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
