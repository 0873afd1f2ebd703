/**
 * One visit's money, exactly once: `preauthorize` places a hold at entry, `capture` takes the receipt total at exit
 * once per visit, `refund` gives back a line once. The ledger row is written BEFORE the provider is asked (status
 * `capturing` with its idempotency key), so a retry or a restart resends the same key and the provider dedups it;
 * a captured visit is never sent again; a hold is recorded `holding` before it is asked for, in the same way. A
 * declined capture keeps the visit, flagged `declined`, for staff.
 * Calls for one visit are serialised in-process, so concurrent retries cannot race.
 */
import { fail, ok, type Result } from '../../errors.ts';
import { PerVisit } from './per-visit.ts';
import {
  type CheckoutLedger,
  type PaymentProvider,
  type PaymentRecord,
  type RefundRecord,
  refundedOf,
} from './types.ts';

export interface VisitRef {
  visit: string;
  account: string;
  currency: string;
}

export interface PaymentsOptions {
  ledger: CheckoutLedger;
  provider: PaymentProvider;
  /** The account's card token (accounts.paymentTokenOf). */
  tokenOf(account: string): string | null;
  clock?: () => number;
}

export interface CaptureOutcome {
  record: PaymentRecord;
  /** Money moved by this call: 0 when the visit was already captured. */
  charged: number;
  alreadyCaptured: boolean;
}

export type CaptureCode = 'NO_PAYMENT_METHOD' | 'DECLINED' | 'PROVIDER_ERROR';
export type RefundCode =
  | 'NOT_CAPTURED'
  | 'ALREADY_REFUNDED'
  | 'REFUND_TOO_LARGE'
  | 'BAD_AMOUNT'
  | 'DECLINED'
  | 'PROVIDER_ERROR';

/**
 * A capture with no answer is resent under its key for this long after it was first sent, and then left for staff:
 * a provider forgets a key after a day (Stripe: 24 h), and a resend then could charge the card a second time.
 */
export const RESEND_WITHIN_MS = 23 * 3_600_000;
/** The reason such a capture carries, for staff. */
export const NO_ANSWER = 'no answer from the provider for a day: check the charge there before charging again';

/** The note on a visit whose lost hold could not be settled: that hold may still be on a card, for staff. */
const HOLD_UNKNOWN = 'hold unknown';

/** The idempotency key of a visit's n-th capture attempt (a new attempt only after a decline). */
export const captureKey = (visit: string, attempt: number): string =>
  attempt <= 1 ? `capture:${visit}` : `capture:${visit}:${attempt}`;

export class Payments {
  private readonly perVisit = new PerVisit();
  private readonly clock: () => number;

  constructor(private readonly options: PaymentsOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get providerName(): string {
    return this.options.provider.name;
  }

  /** Places a hold for `amount` (e.g. the spending limit) when the shopper walks in. */
  preauthorize(v: VisitRef, amount: number): Promise<Result<PaymentRecord, CaptureCode | 'ALREADY_STARTED'>> {
    return this.perVisit.run(v.visit, async () => {
      const existing = await this.options.ledger.payment(v.visit);
      if (existing && existing.status !== 'open')
        return fail('ALREADY_STARTED', `visit ${v.visit} is ${existing.status}`);
      const token = this.options.tokenOf(v.account);
      if (!token) return fail('NO_PAYMENT_METHOD', 'no card on the account');
      const asking = { ...this.blank(v), status: 'holding' as const, heldAmount: amount, card: token };
      await this.options.ledger.putPayment(asking);
      return this.askHold(asking, token);
    });
  }

  /**
   * Sends (or sends again: same key, same hold) a visit's hold and records the answer. A provider error leaves the
   * record `holding`: whether the card holds the money is not known yet.
   */
  private async askHold(record: PaymentRecord, token: string): Promise<Result<PaymentRecord, CaptureCode>> {
    const held = await this.options.provider.hold({
      token,
      amount: record.heldAmount,
      currency: record.currency,
      visit: record.visit,
      idempotencyKey: `hold:${record.visit}`,
    });
    if (!held.ok && held.code === 'PROVIDER_ERROR') return fail(held.code, held.reason);
    const next: PaymentRecord = held.ok
      ? { ...record, status: 'held', holdRef: held.ref, updated: this.clock() }
      : { ...record, status: 'open', heldAmount: 0, updated: this.clock() };
    await this.options.ledger.putPayment(next);
    return held.ok ? ok(next) : fail(held.code, held.reason);
  }

  /**
   * A hold whose answer was lost (a crash, a provider error) is asked for again before the visit is captured or let
   * go, so it is used or released rather than left on the card. Still no answer: the visit goes on without it, and
   * the record says so for staff (a hold lapses by itself in days).
   */
  private async settleHold(record: PaymentRecord): Promise<PaymentRecord> {
    if (record.status !== 'holding') return record;
    const token = record.card ?? this.options.tokenOf(record.account);
    const asked = token ? await this.askHold(record, token) : fail('NO_PAYMENT_METHOD', 'no card on the account');
    if (asked.ok) return asked.value;
    const unknown = { status: 'open' as const, heldAmount: 0, reason: `${HOLD_UNKNOWN}: ${asked.reason}` };
    const next = { ...record, ...unknown, updated: this.clock() };
    await this.options.ledger.putPayment(next);
    return next;
  }

  /**
   * Takes `amount` for the visit, once. A second call returns the first outcome with `charged: 0`. After a decline,
   * a call starts a new attempt (new key); `idempotencyKey` overrides the key of that attempt.
   */
  capture(v: VisitRef, amount: number, idempotencyKey?: string): Promise<Result<CaptureOutcome, CaptureCode>> {
    return this.perVisit.run(v.visit, async () => {
      const record = await this.settleHold((await this.options.ledger.payment(v.visit)) ?? this.blank(v));
      if (record.status === 'captured') return ok({ record, charged: 0, alreadyCaptured: true });
      if (record.status !== 'capturing') {
        record.attempts += 1;
        record.idempotencyKey = idempotencyKey ?? captureKey(v.visit, record.attempts);
        record.amount = amount;
        record.card = this.options.tokenOf(v.account);
        record.status = 'capturing';
        record.updated = this.clock();
        await this.options.ledger.putPayment(record);
      }
      return this.send(record);
    });
  }

  /** Lets go of the hold of a visit that ended with nothing to capture (nobody came in after the scan). */
  release(visit: string): Promise<Result<PaymentRecord, 'NO_HOLD'>> {
    return this.perVisit.run(visit, async () => {
      const stored = await this.options.ledger.payment(visit);
      const record = stored && (await this.settleHold(stored));
      if (record?.status !== 'held') return fail('NO_HOLD', `visit ${visit} holds nothing`);
      const next = { ...record, ...(await this.letGo(record)), status: 'open' as const, updated: this.clock() };
      await this.options.ledger.putPayment(next);
      return ok(next);
    });
  }

  /**
   * Releases the record's hold, if any: the patch forgets it, or (a release that failed: the hold lapses by itself
   * in days) says so in `reason` for staff.
   */
  private async letGo(record: PaymentRecord): Promise<Partial<PaymentRecord>> {
    if (record.holdRef === null) return {};
    const done = await this.options.provider.release({
      holdRef: record.holdRef,
      idempotencyKey: `release:${record.visit}`,
    });
    return done.ok ? { holdRef: null, heldAmount: 0 } : { reason: `hold not released: ${done.reason}` };
  }

  /**
   * Resends captures with no answer (a crash, a provider error) with their original keys. Each record is read
   * again in its visit's turn: one settled meanwhile (captured, then maybe refunded) is left as it is. Answers how
   * many it found, the visits whose card was declined this time (their shopper was told the charge was on its way)
   * and those charged now on an attempt after a decline (their shopper was last told it was declined). A capture
   * first sent over `RESEND_WITHIN_MS` ago is not resent (here or by `capture`): it is marked `NO_ANSWER` for staff.
   */
  async resume(): Promise<{ resent: number; declined: string[]; recharged: string[] }> {
    const pending = await this.options.ledger.unsettled();
    const declined: string[] = [];
    const recharged: string[] = [];
    for (const { visit } of pending) {
      await this.perVisit.run(visit, async () => {
        const record = await this.options.ledger.payment(visit);
        if (record?.status !== 'capturing') return;
        const sent = await this.send(record);
        if (!sent.ok && sent.code !== 'PROVIDER_ERROR') declined.push(visit);
        if (sent.ok && record.attempts > 1) recharged.push(visit);
      });
    }
    return { resent: pending.length, declined, recharged };
  }

  /** Gives back `amount` for one receipt line (or dispute) of a captured visit, at most once per line. */
  refund(visit: string, line: string, amount: number): Promise<Result<RefundRecord, RefundCode>> {
    return this.perVisit.run(visit, async () => {
      if (!Number.isInteger(amount) || amount <= 0) return fail('BAD_AMOUNT', 'a refund is a positive whole amount');
      const record = await this.options.ledger.payment(visit);
      if (record?.status !== 'captured' || !record.chargeRef) return fail('NOT_CAPTURED', 'nothing was charged');
      const refunds = await this.options.ledger.refunds(visit);
      // The total follows the refund records: a crash between the two writes is mended here.
      const refunded = refundedOf(refunds);
      if (refunded !== record.refunded) await this.options.ledger.putPayment({ ...record, refunded });
      if (refunds.some((r) => r.line === line)) return fail('ALREADY_REFUNDED', `line ${line} was already refunded`);
      if (refunded + amount > record.captured) return fail('REFUND_TOO_LARGE', 'more than was charged');
      const done = await this.options.provider.refund({
        chargeRef: record.chargeRef,
        amount,
        idempotencyKey: `refund:${visit}:${line}`,
      });
      if (!done.ok) return fail(done.code, done.reason);
      const refund: RefundRecord = { visit, line, amount, ref: done.ref, t: this.clock() };
      await this.options.ledger.addRefund(refund);
      await this.options.ledger.putPayment({ ...record, refunded: refunded + amount, updated: refund.t });
      return ok(refund);
    });
  }

  private async send(record: PaymentRecord): Promise<Result<CaptureOutcome, CaptureCode>> {
    const { ledger, provider } = this.options;
    const settle = async (patch: Partial<PaymentRecord>): Promise<PaymentRecord> => {
      const next = { ...record, ...patch, updated: this.clock() };
      await ledger.putPayment(next);
      return next;
    };
    if (this.clock() - record.updated > RESEND_WITHIN_MS) {
      if (record.reason !== NO_ANSWER) await ledger.putPayment({ ...record, reason: NO_ANSWER });
      return fail('PROVIDER_ERROR', NO_ANSWER);
    }
    if (record.amount === 0) {
      const released = await this.letGo(record);
      const done = await settle({ status: 'captured', captured: 0, ...released });
      return ok({ record: done, charged: 0, alreadyCaptured: false });
    }
    const token = record.card === undefined ? this.options.tokenOf(record.account) : record.card;
    // A hold placed at entry is captured without the card: a shopper who removed it inside still pays.
    const held = record.holdRef !== null && record.amount <= record.heldAmount;
    if (!token && !held) {
      await settle({ status: 'declined', reason: 'no card on the account' });
      return fail('NO_PAYMENT_METHOD', 'no card on the account');
    }
    const result = await provider.capture({
      token,
      amount: record.amount,
      currency: record.currency,
      visit: record.visit,
      holdRef: record.holdRef,
      heldAmount: record.heldAmount,
      idempotencyKey: record.idempotencyKey ?? captureKey(record.visit, record.attempts),
    });
    if (result.ok) {
      // A total beyond the hold was charged directly: the hold goes.
      const released = held ? {} : await this.letGo(record);
      const captured = await settle({
        status: 'captured',
        captured: record.amount,
        chargeRef: result.ref,
        // A note that a lost hold could not be settled stays for staff: that hold may still be on a card.
        reason: record.reason?.startsWith(HOLD_UNKNOWN) ? record.reason : null,
        ...released,
      });
      return ok({ record: captured, charged: record.amount, alreadyCaptured: false });
    }
    // A provider error leaves the outcome unknown: stay `capturing` so the same key is resent later.
    if (result.code === 'DECLINED') await settle({ status: 'declined', reason: result.reason });
    return fail(result.code, result.reason);
  }

  private blank(v: VisitRef): PaymentRecord {
    return {
      visit: v.visit,
      account: v.account,
      provider: this.options.provider.name,
      currency: v.currency,
      status: 'open',
      heldAmount: 0,
      holdRef: null,
      amount: 0,
      captured: 0,
      chargeRef: null,
      idempotencyKey: null,
      attempts: 0,
      refunded: 0,
      reason: null,
      updated: this.clock(),
    };
  }
}
