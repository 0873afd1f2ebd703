/**
 * The receipt status of a session's cart as a state machine [C7]: open while the party shops, pending-review
 * when they leave with a review case holding the cart back, final once nothing does. Final is terminal.
 */
import type { ReceiptStatus } from '../checkout/types.ts';
import { fail, ok, type Result, WalkoutError } from '../errors.ts';

export type ReceiptEvent =
  /** A review case now blocks this session. */
  | 'case-opened'
  /** A blocking case closed and others still block. */
  | 'case-closed'
  /** The last blocking case closed. */
  | 'cases-cleared'
  /** The party left (after the grace for settling shelf events) with no case blocking. */
  | 'exit-clear'
  /** The party left with at least one case blocking. */
  | 'exit-blocked';

export const RECEIPT_TRANSITIONS = {
  open: {
    'case-opened': 'open',
    'case-closed': 'open',
    'cases-cleared': 'open',
    'exit-clear': 'final',
    'exit-blocked': 'pending-review',
  },
  'pending-review': {
    'case-opened': 'pending-review',
    'case-closed': 'pending-review',
    'cases-cleared': 'final',
  },
  final: {},
} as const satisfies Record<ReceiptStatus, Partial<Record<ReceiptEvent, ReceiptStatus>>>;

export type ReceiptTransitionError = 'RECEIPT_FINAL' | 'BAD_TRANSITION';

export function nextReceiptStatus(
  status: ReceiptStatus,
  event: ReceiptEvent,
): Result<ReceiptStatus, ReceiptTransitionError> {
  const row: Partial<Record<ReceiptEvent, ReceiptStatus>> = RECEIPT_TRANSITIONS[status];
  const next = row[event];
  if (next !== undefined) return ok(next);
  if (status === 'final') return fail('RECEIPT_FINAL', `receipt is final; '${event}' needs a refund, not an edit`);
  return fail('BAD_TRANSITION', `no '${event}' from ${status}`);
}

/** The exit event for a party leaving with `blocking` open cases. */
export const exitEvent = (blocking: number): ReceiptEvent => (blocking > 0 ? 'exit-blocked' : 'exit-clear');

/** The event for a blocking case closing with `blockingLeft` still open. */
export const caseClosedEvent = (blockingLeft: number): ReceiptEvent =>
  blockingLeft > 0 ? 'case-closed' : 'cases-cleared';

/** What the shopper's app shows for each status. */
export function receiptStatusLabel(status: ReceiptStatus): string {
  switch (status) {
    case 'open':
      return 'Shopping';
    case 'pending-review':
      return 'Checking your receipt';
    case 'final':
      return 'Receipt ready';
    default: {
      const never: never = status;
      throw new WalkoutError('BAD_STATUS', `unknown receipt status ${String(never)}`);
    }
  }
}
