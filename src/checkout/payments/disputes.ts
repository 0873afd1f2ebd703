/**
 * Disputes on receipt lines: "I did not take this". A claim worth up to the store's auto-refund limit is refunded at
 * once (cheaper than anyone's time, and the shopper is usually right); a larger one waits for staff in the review
 * console, who approve (refund) or reject it. One dispute per receipt line; only the receipt's own shopper may open it.
 * The store credits a line itself when its own evidence says so (an item found on the floor).
 */
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../../errors.ts';
import type { Payments } from './payments.ts';
import { PerVisit } from './per-visit.ts';
import { type CheckoutLedger, type DisputeRecord, waitsForStaff } from './types.ts';

export interface DisputesOptions {
  ledger: CheckoutLedger;
  payments: Payments;
  /** Claims worth at most this (minor units) are refunded without review. */
  autoRefundLimit: number;
  clock?: () => number;
  /** Told about each dispute that needs a staff decision (wire it to the review console). */
  onReview?: (dispute: DisputeRecord) => void;
}

export interface DisputeRequest {
  visit: string;
  /** The signed-in shopper: must own the receipt. */
  account: string;
  sku: string;
  /** Units disputed; defaults to the whole line. */
  qty?: number;
  reason: string;
}

export type DisputeCode = 'NO_SUCH_RECEIPT' | 'NO_SUCH_LINE' | 'BAD_QTY' | 'ALREADY_DISPUTED' | 'NOT_CAPTURED';
export type CreditCode = DisputeCode | 'REFUND_FAILED';
export type DecideCode = 'NO_SUCH_DISPUTE' | 'ALREADY_DECIDED' | 'REFUND_FAILED';

/** A shopper's dispute is one per line; a store credit is one per piece of evidence (`key`: an item found). */
const disputeId = (visit: string, sku: string, key?: string): string =>
  `dsp_${createHash('sha256')
    .update(key === undefined ? `${visit}\n${sku}` : `${visit}\n${sku}\n${key}`)
    .digest('base64url')
    .slice(0, 16)}`;

/** The refund's line key: the SKU for a shopper's dispute (one per line), its own id for each store credit. */
const refundLine = (d: DisputeRecord): string => (d.disputeId === disputeId(d.visit, d.sku) ? d.sku : d.disputeId);

export class Disputes {
  private readonly clock: () => number;
  /** A claim counts the units of every earlier one on the visit, refunded or not yet. */
  private readonly perVisit = new PerVisit();

  constructor(private readonly options: DisputesOptions) {
    this.clock = options.clock ?? Date.now;
  }

  open(req: DisputeRequest): Promise<Result<DisputeRecord, DisputeCode>> {
    return this.perVisit.run(req.visit, async () => {
      const claim = await this.claim(req, req.account);
      if (!claim.ok) return claim;
      const dispute = claim.value;
      if (!(await this.charged(dispute.visit))) return fail('NOT_CAPTURED', 'this visit has not been charged');
      if (dispute.amount > this.options.autoRefundLimit) return ok(await this.toReview(dispute));
      return ok((await this.refund(dispute, 'auto')).record);
    });
  }

  /**
   * A refund the store's own evidence decided (an item staff found on the floor, docs/SPEC.md [F17]): no claim to
   * review, whatever its amount; one per `key` (the same key again answers the first credit: events replay), and
   * never more units than the line has left undisputed. When the visit is not charged yet (the capture pending or
   * declined), it waits in review for staff instead of being lost. A refund the provider failed is REFUND_FAILED
   * (the caller keeps its place and asks again; asked again, it is tried again); one refused for good (nothing
   * charged, more than the charge) answers its record, `refund-failed`, for staff.
   */
  credit(
    req: Omit<DisputeRequest, 'account'> & { qty: number; key: string; by: string },
  ): Promise<Result<DisputeRecord, CreditCode>> {
    return this.perVisit.run(req.visit, async () => {
      const earlier = await this.options.ledger.dispute(disputeId(req.visit, req.sku, req.key));
      if (earlier && earlier.status !== 'refund-failed' && earlier.status !== 'refunding') return ok(earlier);
      let claim = earlier ? ok(earlier) : await this.claim(req, null, req.key);
      if (!claim.ok && claim.code === 'ALREADY_DISPUTED') {
        const decided = await this.takeFromReview(req);
        if (decided) return decided;
        claim = await this.claim(req, null, req.key);
      }
      if (!claim.ok) return claim;
      if (!(await this.charged(req.visit))) return ok(await this.toReview(claim.value));
      const done = await this.refund(claim.value, req.by);
      return done.retry ? fail('REFUND_FAILED', done.reason) : ok(done.record);
    });
  }

  /**
   * The store's evidence agrees with the shopper's own claim on the line: the found units come out of it, so a
   * rejection later cannot take them with it. A claim whose refund was sent (its outcome lost) is finished first: it
   * holds its units. One waiting for staff and no larger is refunded as it stands (the evidence decides it); a larger
   * one keeps waiting for the rest, and the credit goes ahead (null).
   */
  private async takeFromReview(
    req: Pick<DisputeRequest, 'visit' | 'sku'> & { qty: number; by: string },
  ): Promise<Result<DisputeRecord, CreditCode> | null> {
    const claim = await this.options.ledger.dispute(disputeId(req.visit, req.sku));
    const sent = claim?.status === 'refunding';
    if (!claim || !(sent || claim.status === 'review') || !(await this.charged(req.visit))) return null;
    if (sent || claim.qty <= req.qty) {
      const done = await this.refund(claim, claim.decidedBy ?? req.by);
      if (done.retry) return fail('REFUND_FAILED', done.reason);
      return sent ? fail('ALREADY_DISPUTED', 'every unit of this line is already disputed') : ok(done.record);
    }
    const qty = claim.qty - req.qty;
    await this.options.ledger.putDispute({ ...claim, qty, amount: (claim.amount / claim.qty) * qty });
    return null;
  }

  private async charged(visit: string): Promise<boolean> {
    return (await this.options.ledger.payment(visit))?.status === 'captured';
  }

  private async toReview(dispute: DisputeRecord): Promise<DisputeRecord> {
    await this.options.ledger.putDispute(dispute);
    this.options.onReview?.(dispute);
    return dispute;
  }

  /**
   * The checks on the receipt line every dispute passes; `account` null skips the owner check (a credit the store
   * decided, named by `key`).
   */
  private async claim(
    req: Omit<DisputeRequest, 'account'>,
    account: string | null,
    key?: string,
  ): Promise<Result<DisputeRecord, Exclude<DisputeCode, 'NOT_CAPTURED'>>> {
    const { ledger } = this.options;
    const stored = await ledger.receipt(req.visit);
    // Someone else's receipt looks exactly like a missing one.
    if (!stored || (account !== null && stored.receipt.account !== account))
      return fail('NO_SUCH_RECEIPT', 'no such receipt');
    const line = stored.receipt.lines.find((l) => l.sku === req.sku && l.qty > 0);
    if (!line) return fail('NO_SUCH_LINE', `no ${req.sku} on this receipt`);
    const id = disputeId(req.visit, req.sku, key);
    if (await ledger.dispute(id)) return fail('ALREADY_DISPUTED', 'this line is already disputed');
    // Units already disputed or credited (and not rejected) cannot be refunded again.
    const claimed = (await ledger.disputesOf(req.visit))
      .filter((d) => d.sku === req.sku && d.status !== 'rejected')
      .reduce((sum, d) => sum + d.qty, 0);
    const left = line.qty - claimed;
    if (left < 1) return fail('ALREADY_DISPUTED', 'every unit of this line is already disputed');
    const qty = req.qty ?? left;
    if (!Number.isInteger(qty) || qty < 1 || qty > left) return fail('BAD_QTY', `between 1 and ${left}`);
    return ok({
      disputeId: id,
      visit: req.visit,
      account: stored.receipt.account,
      sku: req.sku,
      qty,
      amount: qty * line.unitPrice,
      reason: req.reason.slice(0, 500),
      status: 'review',
      opened: this.clock(),
      decided: null,
      decidedBy: null,
    });
  }

  /**
   * A staff decision on a dispute waiting for one: approve refunds it (again, after a refund that failed), reject
   * closes it.
   */
  async decide(id: string, approve: boolean, reviewer: string): Promise<Result<DisputeRecord, DecideCode>> {
    const found = await this.options.ledger.dispute(id);
    if (!found) return fail('NO_SUCH_DISPUTE', `no dispute ${id}`);
    return this.perVisit.run(found.visit, async () => {
      // Read again in turn: a decision just before this one may have settled it.
      const dispute = (await this.options.ledger.dispute(id))!;
      if (!waitsForStaff(dispute)) return fail('ALREADY_DECIDED', `dispute is ${dispute.status}`);
      // A refund already sent may have paid (its outcome was lost): it is finished, never rejected.
      if (!approve && dispute.status !== 'refunding') {
        const rejected = { ...dispute, status: 'rejected' as const, decided: this.clock(), decidedBy: reviewer };
        await this.options.ledger.putDispute(rejected);
        return ok(rejected);
      }
      const done = await this.refund(dispute, reviewer);
      return done.record.status === 'refunded' ? ok(done.record) : fail('REFUND_FAILED', done.reason);
    });
  }

  inReview(): Promise<DisputeRecord[]> {
    return this.options.ledger.disputesInReview();
  }

  /**
   * Refunds a dispute and records the outcome. The claim is recorded `refunding` first, so its units count as claimed
   * even when the outcome is lost (a crash after the provider paid): nothing else refunds them again, and it waits
   * for staff, whose decision sends the same refund again (same key: the money moves once). A line refunded already
   * counts as refunded; only a provider error is worth trying again (`retry`), anything else waits for staff.
   */
  private async refund(
    dispute: DisputeRecord,
    by: string,
  ): Promise<{ record: DisputeRecord; retry: boolean; reason: string }> {
    await this.options.ledger.putDispute({ ...dispute, status: 'refunding' });
    const refund = await this.options.payments.refund(dispute.visit, refundLine(dispute), dispute.amount);
    const status: DisputeRecord['status'] =
      refund.ok || refund.code === 'ALREADY_REFUNDED' ? 'refunded' : 'refund-failed';
    const record: DisputeRecord = { ...dispute, status, decided: this.clock(), decidedBy: by };
    await this.options.ledger.putDispute(record);
    const reason = refund.ok ? '' : `${refund.code}: ${refund.reason}`;
    return { record, retry: !refund.ok && refund.code === 'PROVIDER_ERROR', reason };
  }
}
