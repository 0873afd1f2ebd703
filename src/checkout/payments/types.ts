/**
 * Payments: the provider interface (a test provider for the demo, Stripe for real cards) and what the checkout
 * ledger keeps about each visit's money: the hold, the one capture, refunds, receipts and disputes.
 * Amounts are integers in the currency's minor unit (cents), as prices are in the store definition.
 */
import type { Receipt } from '../types.ts';

export type ProviderFailure = 'DECLINED' | 'PROVIDER_ERROR';
export type ProviderResult = { ok: true; ref: string } | { ok: false; code: ProviderFailure; reason: string };

/** One payment provider. Every call carries an idempotency key: the same key never moves money twice. */
export interface PaymentProvider {
  readonly name: string;
  /** Places a hold of `amount` on the card. */
  hold(req: {
    token: string;
    amount: number;
    currency: string;
    visit: string;
    idempotencyKey: string;
  }): Promise<ProviderResult>;
  /**
   * Takes `amount`: against the hold `holdRef` when given and large enough, else as a direct charge.
   * The returned ref is the charge to refund against.
   */
  capture(req: {
    /** The account's card now; null when it has none (removed during the visit): only the hold can be captured. */
    token: string | null;
    amount: number;
    currency: string;
    visit: string;
    holdRef: string | null;
    heldAmount: number;
    idempotencyKey: string;
  }): Promise<ProviderResult>;
  refund(req: { chargeRef: string; amount: number; idempotencyKey: string }): Promise<ProviderResult>;
  /** Lets go of a hold that will not be captured, so the shopper does not see the money held for days. */
  release(req: { holdRef: string; idempotencyKey: string }): Promise<ProviderResult>;
}

/**
 * `open`: known, nothing on the card yet. `holding`: a hold was asked for and its answer is not yet recorded (asked
 * again with the same key before the visit is captured or let go, so no hold is left on the card). `held`: a hold is
 * on the card. `capturing`: a capture was sent and its outcome is not yet recorded (after a crash, the capture is
 * sent again with the same idempotency key). `captured`: done, exactly once. `declined`: the card was refused; the
 * visit is kept and flagged for staff.
 */
export type PaymentStatus = 'open' | 'holding' | 'held' | 'capturing' | 'captured' | 'declined';

export interface PaymentRecord {
  visit: string;
  account: string;
  provider: string;
  currency: string;
  status: PaymentStatus;
  heldAmount: number;
  holdRef: string | null;
  /** What the capture asked for (the receipt total). */
  amount: number;
  captured: number;
  chargeRef: string | null;
  idempotencyKey: string | null;
  /**
   * The card token the hold, or the capture attempt in flight, was asked with: a resend under the same key sends the
   * same card (a provider refuses a key reused with other parameters), whatever card the account has now. Absent in
   * records from before it was kept: the account's card then.
   */
  card?: string | null;
  /** Capture attempts so far; a retry after a decline uses a new key. */
  attempts: number;
  /** The sum of the visit's refund records (each written first; this total follows them). */
  refunded: number;
  reason: string | null;
  updated: number;
}

export interface RefundRecord {
  visit: string;
  /** What is refunded: a receipt line's SKU, or a dispute id. Refunded at most once each. */
  line: string;
  amount: number;
  ref: string;
  t: number;
}

/** What a visit's refund records add up to: the truth its payment's `refunded` total follows. */
export const refundedOf = (refunds: readonly RefundRecord[]): number => refunds.reduce((sum, r) => sum + r.amount, 0);

export interface ReceiptRecord {
  receipt: Receipt;
  /** Wall-clock time the receipt email was sent, or null. */
  emailedAt: number | null;
  /** The SMTP error when the email failed. */
  emailError: string | null;
}

/**
 * `refunding`: the refund was sent and its outcome is not recorded yet (for a moment; for good after a crash, when
 * staff finish it: the same key again, so the money moves once).
 */
export type DisputeStatus = 'refunded' | 'review' | 'rejected' | 'refund-failed' | 'refunding';

/** In review, approved with a refund that failed, or a refund sent whose outcome was lost: staff decide (again). */
export const waitsForStaff = (d: { status: DisputeStatus }): boolean =>
  d.status === 'review' || d.status === 'refund-failed' || d.status === 'refunding';

export interface DisputeRecord {
  disputeId: string;
  visit: string;
  account: string;
  sku: string;
  qty: number;
  amount: number;
  reason: string;
  status: DisputeStatus;
  opened: number;
  decided: number | null;
  decidedBy: string | null;
}

/** The money side of checkout, durable. One record per visit; refunds unique per (visit, line). */
export interface CheckoutLedger {
  payment(visit: string): Promise<PaymentRecord | null>;
  putPayment(record: PaymentRecord): Promise<void>;
  /** Visits whose capture was declined: for staff to follow up. */
  declined(): Promise<PaymentRecord[]>;
  /** Captures sent but not recorded (a crash in between): resend with the same key. */
  unsettled(): Promise<PaymentRecord[]>;
  refunds(visit: string): Promise<RefundRecord[]>;
  /** False when that (visit, line) was already refunded. */
  addRefund(record: RefundRecord): Promise<boolean>;
  putReceipt(record: ReceiptRecord): Promise<void>;
  receipt(visit: string): Promise<ReceiptRecord | null>;
  /** Newest first. */
  receiptsOf(account: string, limit: number): Promise<ReceiptRecord[]>;
  /** Receipts whose email has not gone out. */
  unsent(): Promise<ReceiptRecord[]>;
  putDispute(record: DisputeRecord): Promise<void>;
  dispute(disputeId: string): Promise<DisputeRecord | null>;
  disputesOf(visit: string): Promise<DisputeRecord[]>;
  /** Disputes waiting for a staff decision (in review, or approved but the refund failed), oldest first. */
  disputesInReview(): Promise<DisputeRecord[]>;
  close(): Promise<void>;
}
