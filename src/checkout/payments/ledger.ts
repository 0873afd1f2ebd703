/**
 * The checkout ledger kept in memory: for tests and the demo. Same contract as the SQLite ledger
 * (ledger.contract.ts). Copies in and out, so callers never share a record with the ledger.
 */
import {
  type CheckoutLedger,
  type DisputeRecord,
  type PaymentRecord,
  type ReceiptRecord,
  type RefundRecord,
  waitsForStaff,
} from './types.ts';

const clone = <T>(x: T): T => structuredClone(x);

export class MemoryCheckoutLedger implements CheckoutLedger {
  private readonly payments = new Map<string, PaymentRecord>();
  private readonly refundList: RefundRecord[] = [];
  private readonly receipts = new Map<string, ReceiptRecord>();
  private readonly disputes = new Map<string, DisputeRecord>();

  async payment(visit: string) {
    const p = this.payments.get(visit);
    return p ? clone(p) : null;
  }

  async putPayment(record: PaymentRecord) {
    this.payments.set(record.visit, clone(record));
  }

  async declined() {
    return [...this.payments.values()].filter((p) => p.status === 'declined').map(clone);
  }

  async unsettled() {
    return [...this.payments.values()].filter((p) => p.status === 'capturing').map(clone);
  }

  async refunds(visit: string) {
    return this.refundList.filter((r) => r.visit === visit).map(clone);
  }

  async addRefund(record: RefundRecord) {
    if (this.refundList.some((r) => r.visit === record.visit && r.line === record.line)) return false;
    this.refundList.push(clone(record));
    return true;
  }

  async putReceipt(record: ReceiptRecord) {
    this.receipts.set(record.receipt.visit, clone(record));
  }

  async receipt(visit: string) {
    const r = this.receipts.get(visit);
    return r ? clone(r) : null;
  }

  async receiptsOf(account: string, limit: number) {
    return [...this.receipts.values()]
      .filter((r) => r.receipt.account === account)
      .sort(
        (a, b) => (b.receipt.finalAt ?? 0) - (a.receipt.finalAt ?? 0) || b.receipt.visit.localeCompare(a.receipt.visit),
      )
      .slice(0, limit)
      .map(clone);
  }

  async unsent() {
    return [...this.receipts.values()].filter((r) => r.emailedAt === null).map(clone);
  }

  async putDispute(record: DisputeRecord) {
    this.disputes.set(record.disputeId, clone(record));
  }

  async dispute(disputeId: string) {
    const d = this.disputes.get(disputeId);
    return d ? clone(d) : null;
  }

  async disputesOf(visit: string) {
    return [...this.disputes.values()]
      .filter((d) => d.visit === visit)
      .sort((a, b) => a.opened - b.opened)
      .map(clone);
  }

  async disputesInReview() {
    return [...this.disputes.values()]
      .filter(waitsForStaff)
      .sort((a, b) => a.opened - b.opened)
      .map(clone);
  }

  async close() {}
}
