/**
 * The contract every CheckoutLedger back end keeps, as a node:test suite: payments by visit and by status, refunds
 * at most once per (visit, line), receipts per account newest first, unsent receipts, disputes per visit, and (for
 * durable back ends) everything still there after a restart. Run it with `checkoutLedgerContract(name, harness)`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Receipt } from '../types.ts';
import type { CheckoutLedger, DisputeRecord, PaymentRecord, ReceiptRecord } from './types.ts';

export interface CheckoutLedgerHarness {
  open(): Promise<CheckoutLedger>;
  reopen?: () => Promise<CheckoutLedger>;
}

const T0 = 1_750_000_000_000;

export const samplePayment = (visit: string, extra: Partial<PaymentRecord> = {}): PaymentRecord => ({
  visit,
  account: 'acc_1',
  provider: 'test',
  currency: 'USD',
  status: 'held',
  heldAmount: 5000,
  holdRef: `hold_${visit}`,
  amount: 0,
  captured: 0,
  chargeRef: null,
  idempotencyKey: null,
  attempts: 0,
  refunded: 0,
  reason: null,
  updated: T0,
  ...extra,
});

export const sampleReceipt = (visit: string, account: string, finalAt: number): Receipt => ({
  visit,
  account,
  lines: [{ sku: 'MILK', name: 'Milk 1 L "semi" ñ', qty: 2, unitPrice: 129 }],
  total: 258,
  currency: 'USD',
  status: 'final',
  entered: finalAt - 60_000,
  exited: finalAt - 3_000,
  finalAt,
});

const dispute = (id: string, visit: string, opened: number): DisputeRecord => ({
  disputeId: id,
  visit,
  account: 'acc_1',
  sku: 'MILK',
  qty: 1,
  amount: 129,
  reason: 'did not take it',
  status: 'review',
  opened,
  decided: null,
  decidedBy: null,
});

async function withLedger(harness: CheckoutLedgerHarness, body: (l: CheckoutLedger) => Promise<void>): Promise<void> {
  const ledger = await harness.open();
  try {
    await body(ledger);
  } finally {
    await ledger.close();
  }
}

export function checkoutLedgerContract(name: string, harness: CheckoutLedgerHarness): void {
  describe(`CheckoutLedger contract: ${name}`, () => {
    it('keeps one payment per visit and lists declined and unsettled ones', () =>
      withLedger(harness, async (l) => {
        assert.equal(await l.payment('v1'), null);
        await l.putPayment(samplePayment('v1'));
        await l.putPayment(samplePayment('v1', { status: 'captured', captured: 258, chargeRef: 'ch_1' }));
        await l.putPayment(samplePayment('v2', { status: 'declined', reason: 'card declined' }));
        await l.putPayment(samplePayment('v3', { status: 'capturing', idempotencyKey: 'capture:v3' }));
        assert.deepEqual(
          await l.payment('v1'),
          samplePayment('v1', { status: 'captured', captured: 258, chargeRef: 'ch_1' }),
        );
        assert.deepEqual(
          (await l.declined()).map((p) => p.visit),
          ['v2'],
        );
        assert.deepEqual(
          (await l.unsettled()).map((p) => p.visit),
          ['v3'],
        );
      }));

    it('refunds a (visit, line) at most once', () =>
      withLedger(harness, async (l) => {
        const r = { visit: 'v1', line: 'MILK', amount: 129, ref: 're_1', t: T0 };
        assert.equal(await l.addRefund(r), true);
        assert.equal(await l.addRefund({ ...r, ref: 're_2' }), false);
        assert.equal(await l.addRefund({ ...r, line: 'BREAD' }), true);
        assert.deepEqual(await l.refunds('v1'), [r, { ...r, line: 'BREAD' }]);
        assert.deepEqual(await l.refunds('v2'), []);
      }));

    it('keeps receipts per account, newest first, and knows which are unsent', () =>
      withLedger(harness, async (l) => {
        const older: ReceiptRecord = { receipt: sampleReceipt('v1', 'ann', T0), emailedAt: null, emailError: null };
        const newer: ReceiptRecord = {
          receipt: sampleReceipt('v2', 'ann', T0 + 10),
          emailedAt: null,
          emailError: null,
        };
        const other: ReceiptRecord = { receipt: sampleReceipt('v3', 'bob', T0 + 5), emailedAt: T0, emailError: null };
        for (const r of [older, newer, other]) await l.putReceipt(r);
        assert.deepEqual(await l.receiptsOf('ann', 10), [newer, older]);
        assert.deepEqual(await l.receiptsOf('ann', 1), [newer]);
        assert.deepEqual(await l.receipt('v3'), other);
        assert.deepEqual((await l.unsent()).map((r) => r.receipt.visit).sort(), ['v1', 'v2']);
        await l.putReceipt({ ...older, emailedAt: T0 + 1 });
        assert.deepEqual(
          (await l.unsent()).map((r) => r.receipt.visit),
          ['v2'],
        );
      }));

    it('keeps disputes by id and per visit in order', () =>
      withLedger(harness, async (l) => {
        await l.putDispute(dispute('d2', 'v1', T0 + 2));
        await l.putDispute(dispute('d1', 'v1', T0 + 1));
        await l.putDispute({ ...dispute('d2', 'v1', T0 + 2), status: 'refunded', decided: T0 + 3, decidedBy: 'sam' });
        await l.putDispute({
          ...dispute('d3', 'v2', T0 + 4),
          status: 'refund-failed',
          decided: T0 + 5,
          decidedBy: 'sam',
        });
        await l.putDispute({ ...dispute('d4', 'v2', T0 + 6), status: 'rejected', decided: T0 + 7, decidedBy: 'sam' });
        assert.equal((await l.dispute('d2'))?.status, 'refunded');
        assert.deepEqual(
          (await l.disputesOf('v1')).map((d) => d.disputeId),
          ['d1', 'd2'],
        );
        assert.deepEqual(
          (await l.disputesInReview()).map((d) => d.disputeId),
          ['d1', 'd3'],
        );
        assert.equal(await l.dispute('d9'), null);
      }));

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps everything across a restart', async () => {
        const first = await harness.open();
        await first.putPayment(samplePayment('v1', { status: 'captured', captured: 100 }));
        await first.addRefund({ visit: 'v1', line: 'MILK', amount: 10, ref: 're', t: T0 });
        await first.putReceipt({ receipt: sampleReceipt('v1', 'ann', T0), emailedAt: T0, emailError: null });
        await first.putDispute(dispute('d1', 'v1', T0));
        await first.close();
        const second = await reopen();
        try {
          assert.equal((await second.payment('v1'))?.captured, 100);
          assert.equal((await second.refunds('v1')).length, 1);
          assert.equal((await second.receipt('v1'))?.emailedAt, T0);
          assert.equal((await second.dispute('d1'))?.visit, 'v1');
        } finally {
          await second.close();
        }
      });
    }
  });
}
