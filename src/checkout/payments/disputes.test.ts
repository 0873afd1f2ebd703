/**
 * Disputes: under the store's limit refunded at once, over it sent to review and refunded only when staff approve;
 * one per line; only on the shopper's own, charged receipt.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Receipt } from '../types.ts';
import { Disputes } from './disputes.ts';
import { MemoryCheckoutLedger } from './ledger.ts';
import { Payments } from './payments.ts';
import { TestPaymentProvider } from './test-provider.ts';
import type { DisputeRecord } from './types.ts';

const receipt: Receipt = {
  visit: 'door@1',
  account: 'ann',
  lines: [
    { sku: 'WATER', name: 'Water', qty: 2, unitPrice: 199 },
    { sku: 'WINE', name: 'Wine', qty: 1, unitPrice: 1500 },
  ],
  total: 1898,
  currency: 'USD',
  status: 'final',
  entered: 0,
  exited: 1,
  finalAt: 2,
};

/** A provider whose refunds fail while `down` (an outage), and take a moment, as a real one's do. */
class FlakyRefunds extends TestPaymentProvider {
  down = false;
  override async refund(req: Parameters<TestPaymentProvider['refund']>[0]) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.down) return { ok: false as const, code: 'PROVIDER_ERROR' as const, reason: 'provider unreachable' };
    return super.refund(req);
  }
}

async function setup(capture = true) {
  const ledger = new MemoryCheckoutLedger();
  const provider = new FlakyRefunds();
  const payments = new Payments({ ledger, provider, tokenOf: () => 'tok_visa' });
  await ledger.putReceipt({ receipt, emailedAt: null, emailError: null });
  if (capture) await payments.capture({ visit: 'door@1', account: 'ann', currency: 'USD' }, receipt.total);
  const reviews: DisputeRecord[] = [];
  const disputes = new Disputes({ ledger, payments, autoRefundLimit: 500, onReview: (d) => reviews.push(d) });
  return { ledger, provider, payments, disputes, reviews };
}

/** Ann's dispute is refunded at once, and the process dies as it records the outcome (the claim was recorded first). */
async function refundThenCrash(claim: { sku: string; qty?: number; reason: string }) {
  const charged = await setup();
  const { ledger, payments } = charged;
  const record = ledger.putDispute.bind(ledger);
  ledger.putDispute = async (d: DisputeRecord) => {
    if (d.status === 'refunded') throw new Error('process died');
    return record(d);
  };
  const disputes = new Disputes({ ledger, payments, autoRefundLimit: 500 });
  await assert.rejects(disputes.open({ visit: 'door@1', account: 'ann', ...claim }));
  ledger.putDispute = record;
  return charged;
}

describe('Disputes', () => {
  it('refunds a line under the limit at once', async () => {
    const { disputes, provider, reviews } = await setup();
    const d = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', reason: 'took one', qty: 1 });
    assert.ok(d.ok);
    assert.deepEqual([d.value.status, d.value.amount, d.value.decidedBy], ['refunded', 199, 'auto']);
    assert.equal(provider.capturedFor('door@1'), 1898 - 199);
    assert.equal(reviews.length, 0);
    const again = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', reason: 'again', qty: 1 });
    assert.equal(!again.ok && again.code, 'ALREADY_DISPUTED');
  });

  it('sends a line over the limit to review, and refunds only on approval', async () => {
    const { disputes, provider, reviews } = await setup();
    const d = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WINE', reason: 'not me' });
    assert.ok(d.ok);
    assert.equal(d.value.status, 'review');
    assert.equal(provider.capturedFor('door@1'), 1898, 'nothing refunded yet');
    assert.deepEqual(
      reviews.map((r) => r.disputeId),
      [d.value.disputeId],
    );
    assert.deepEqual(
      (await disputes.inReview()).map((r) => r.sku),
      ['WINE'],
    );
    const approved = await disputes.decide(d.value.disputeId, true, 'sam');
    assert.ok(approved.ok);
    assert.deepEqual([approved.value.status, approved.value.decidedBy], ['refunded', 'sam']);
    assert.equal(provider.capturedFor('door@1'), 398);
    const twice = await disputes.decide(d.value.disputeId, true, 'sam');
    assert.equal(!twice.ok && twice.code, 'ALREADY_DECIDED');
  });

  it('closes a rejected dispute without a refund', async () => {
    const { disputes, provider } = await setup();
    const d = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WINE', reason: 'not me' });
    assert.ok(d.ok);
    const rejected = await disputes.decide(d.value.disputeId, false, 'sam');
    assert.ok(rejected.ok);
    assert.equal(rejected.value.status, 'rejected');
    assert.equal(provider.capturedFor('door@1'), 1898);
  });

  it("refuses another shopper's receipt, unknown lines, bad quantities, and uncharged visits", async () => {
    const { disputes } = await setup();
    const other = await disputes.open({ visit: 'door@1', account: 'bob', sku: 'WATER', reason: 'x' });
    assert.equal(!other.ok && other.code, 'NO_SUCH_RECEIPT');
    const line = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'BREAD', reason: 'x' });
    assert.equal(!line.ok && line.code, 'NO_SUCH_LINE');
    const qty = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', qty: 3, reason: 'x' });
    assert.equal(!qty.ok && qty.code, 'BAD_QTY');
    const uncharged = await (await setup(false)).disputes.open({
      visit: 'door@1',
      account: 'ann',
      sku: 'WATER',
      reason: 'x',
    });
    assert.equal(!uncharged.ok && uncharged.code, 'NOT_CAPTURED');
  });

  it('credits what the store decided itself at once, whatever it is worth, once per find and unit', async () => {
    const { disputes, provider, reviews } = await setup();
    const credit = (sku: string, key: string) =>
      disputes.credit({ visit: 'door@1', sku, qty: 1, key, reason: 'found on the floor', by: 'engine' });
    const wine = await credit('WINE', 'f1');
    assert.ok(wine.ok);
    assert.deepEqual([wine.value.status, wine.value.account, wine.value.decidedBy], ['refunded', 'ann', 'engine']);
    assert.equal(reviews.length, 0);
    const again = await credit('WINE', 'f1');
    assert.deepEqual(again.ok && again.value, wine.value, 'the same find again answers the first credit');
    // Two bottles of water dropped and found: both refunded, then nothing is left to refund or dispute.
    assert.ok((await credit('WATER', 'f2')).ok);
    assert.ok((await credit('WATER', 'f3')).ok);
    assert.equal(provider.capturedFor('door@1'), 1898 - 1500 - 2 * 199);
    const third = await credit('WATER', 'f4');
    assert.equal(!third.ok && third.code, 'ALREADY_DISPUTED');
    const claim = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', reason: 'not me' });
    assert.equal(!claim.ok && claim.code, 'ALREADY_DISPUTED');
  });

  it('tries a refund that failed again: the store credit when asked again, the staff approval from review', async () => {
    const { disputes, provider, ledger } = await setup();
    provider.down = true;
    const credit = () =>
      disputes.credit({ visit: 'door@1', sku: 'WATER', qty: 1, key: 'f1', reason: 'found', by: 'engine' });
    const failed = await credit();
    assert.equal(!failed.ok && failed.code, 'REFUND_FAILED', 'not ok: the caller keeps its place');
    const wine = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WINE', reason: 'not me' });
    assert.ok(wine.ok);
    assert.equal((await disputes.decide(wine.value.disputeId, true, 'sam')).ok, false);
    assert.deepEqual(
      (await ledger.disputesInReview()).map((d) => [d.sku, d.status]),
      [
        ['WATER', 'refund-failed'],
        ['WINE', 'refund-failed'],
      ],
      'staff see both',
    );
    provider.down = false;
    assert.ok((await credit()).ok);
    assert.ok((await disputes.decide(wine.value.disputeId, true, 'sam')).ok);
    assert.equal(provider.capturedFor('door@1'), 1898 - 199 - 1500);
    assert.deepEqual(await ledger.disputesInReview(), []);
  });

  it('a line the payments ledger already refunded (a crash between the two writes) counts as refunded', async () => {
    const { disputes, provider, payments } = await setup();
    assert.ok((await payments.refund('door@1', 'WATER', 398)).ok);
    const d = await disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', reason: 'not me' });
    assert.ok(d.ok);
    assert.equal(d.value.status, 'refunded');
    assert.equal(provider.capturedFor('door@1'), 1898 - 398, 'refunded once');
  });

  it('never refunds one unit twice when a dispute and a store credit race', async () => {
    const { disputes, provider } = await setup();
    const [claim, credit] = await Promise.all([
      disputes.open({ visit: 'door@1', account: 'ann', sku: 'WATER', qty: 2, reason: 'not me' }),
      disputes.credit({ visit: 'door@1', sku: 'WATER', qty: 1, key: 'f1', reason: 'found', by: 'engine' }),
    ]);
    assert.ok(claim.ok, 'the first claims both bottles');
    assert.equal(!credit.ok && credit.code, 'ALREADY_DISPUTED');
    assert.equal(provider.capturedFor('door@1'), 1898 - 2 * 199);
  });

  it('keeps a credit for a visit not charged yet in review, for staff, instead of losing it', async () => {
    const { disputes, reviews } = await setup(false);
    const d = await disputes.credit({
      visit: 'door@1',
      sku: 'WATER',
      qty: 1,
      key: 'f1',
      reason: 'found',
      by: 'engine',
    });
    assert.ok(d.ok);
    assert.equal(d.value.status, 'review');
    assert.deepEqual(
      reviews.map((r) => r.sku),
      ['WATER'],
    );
  });

  it('a crash after the provider refunded, before the outcome was recorded, never refunds that unit again', async () => {
    const { ledger, provider, payments } = await refundThenCrash({ sku: 'WATER', reason: 'took none' });
    assert.equal(provider.capturedFor('door@1'), 1898 - 2 * 199);
    const restarted = new Disputes({ ledger, payments, autoRefundLimit: 500 });
    // Staff find one of those waters on the floor: its units are already claimed, so nothing more is refunded.
    const found = { visit: 'door@1', sku: 'WATER', qty: 1, key: 'found-1', reason: 'found on the floor', by: 'engine' };
    const [stuck] = await restarted.inReview();
    assert.deepEqual([stuck?.sku, stuck?.status], ['WATER', 'refunding'], 'staff see a refund whose outcome was lost');
    const credit = await restarted.credit(found);
    assert.equal(!credit.ok && credit.code, 'ALREADY_DISPUTED');
    // The find finished the claim (its refund sent again under its key: the provider paid once) and took nothing.
    assert.equal((await ledger.dispute(stuck!.disputeId))?.status, 'refunded');
    assert.deepEqual(await restarted.inReview(), []);
    assert.equal(provider.capturedFor('door@1'), 1898 - 2 * 199);
  });

  it('a refund sent whose outcome was lost is finished when staff decide it, whichever way they click', async () => {
    const { ledger, provider, payments } = await refundThenCrash({ sku: 'WATER', qty: 1, reason: 'not mine' });
    const disputes = new Disputes({ ledger, payments, autoRefundLimit: 500 });
    const [stuck] = await disputes.inReview();
    const decided = await disputes.decide(stuck!.disputeId, false, 'sam');
    assert.equal(decided.ok && decided.value.status, 'refunded', 'the money went: rejecting cannot undo it');
    assert.equal(provider.capturedFor('door@1'), 1898 - 199);
    assert.equal(provider.movements.filter((m) => m.kind === 'refund').length, 1);
  });

  it("an item found while the shopper's own claim on its line waits for staff comes out of that claim", async () => {
    const { ledger, payments, provider } = await setup();
    // Ann disputes both waters (398: over a 300 limit, so staff decide); one is then found on the floor.
    const strict = new Disputes({ ledger, payments, autoRefundLimit: 300 });
    const claim = await strict.open({ visit: 'door@1', account: 'ann', sku: 'WATER', reason: 'took none' });
    assert.ok(claim.ok && claim.value.status === 'review');
    const found = { visit: 'door@1', sku: 'WATER', qty: 1, key: 'found-1', reason: 'found on the floor', by: 'engine' };
    const credit = await strict.credit(found);
    assert.ok(credit.ok && credit.value.status === 'refunded', 'the found water is refunded now');
    const [waiting] = await strict.inReview();
    assert.deepEqual([waiting?.qty, waiting?.amount], [1, 199], 'the claim waits for the other water only');
    // Staff reject the rest: the found one stays refunded.
    assert.ok((await strict.decide(waiting!.disputeId, false, 'sam')).ok);
    assert.equal(provider.capturedFor('door@1'), 1898 - 199);
    // A second find on the line: nothing of the claim waits any more, and its units are all claimed or charged.
    const again = await strict.credit({ ...found, key: 'found-2' });
    assert.ok(again.ok && again.value.status === 'refunded');
    assert.equal(provider.capturedFor('door@1'), 1898 - 2 * 199);
  });

  it("a find covering the shopper's whole claim in review decides that claim: refunded as it stands", async () => {
    const { ledger, payments, provider } = await setup();
    const strict = new Disputes({ ledger, payments, autoRefundLimit: 100 });
    const claim = await strict.open({ visit: 'door@1', account: 'ann', sku: 'WATER', qty: 1, reason: 'took one' });
    assert.ok(claim.ok && claim.value.status === 'review');
    const found = { visit: 'door@1', sku: 'WATER', qty: 1, key: 'found-1', reason: 'found on the floor', by: 'engine' };
    // Still a unit left undisputed on the line: the credit takes that one, the claim keeps waiting.
    assert.ok((await strict.credit(found)).ok);
    assert.equal((await strict.inReview()).length, 1);
    // The next find has no undisputed unit left: it decides the claim.
    const decided = await strict.credit({ ...found, key: 'found-2' });
    assert.ok(decided.ok);
    assert.deepEqual(
      [decided.value.disputeId, decided.value.status, decided.value.decidedBy],
      [claim.value.disputeId, 'refunded', 'engine'],
    );
    assert.deepEqual(await strict.inReview(), []);
    assert.equal(provider.capturedFor('door@1'), 1898 - 2 * 199);
  });
});
