import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TruthVisit } from '../sim/truth.ts';
import type { ItemCount } from '../weight/types.ts';
import { type ScoredReceipt, scoreReceipts } from './score-receipts.ts';

const prices = new Map([
  ['cola', 200],
  ['chips', 150],
  ['gum', 100],
]);

function visit(id: string, receipt: ItemCount[], staff = false): TruthVisit {
  return {
    visit: id,
    account: `acct-${id}`,
    members: [`p-${id}`],
    entryGate: 'g1',
    scanned: 0,
    entered: 1000,
    exited: 60_000,
    receipt,
    staff,
  };
}

function receipt(id: string, items: ItemCount[]): ScoredReceipt {
  const lines = items.map(({ sku, qty }) => ({ sku, name: sku, qty, unitPrice: prices.get(sku)! }));
  return { visit: id, lines, total: lines.reduce((s, l) => s + l.qty * l.unitPrice, 0) };
}

describe('scoreReceipts', () => {
  it('scores a perfect receipt 1.0 everywhere', () => {
    const items = [
      { sku: 'cola', qty: 2 },
      { sku: 'chips', qty: 1 },
    ];
    const s = scoreReceipts([visit('a', items)], [receipt('a', items)], prices);
    assert.equal(s.visits, 1);
    assert.equal(s.exactReceiptRate, 1);
    assert.equal(s.itemPrecision, 1);
    assert.equal(s.itemRecall, 1);
    assert.equal(s.itemF1, 1);
    assert.equal(s.overchargedVisits, 0);
    assert.equal(s.underchargedVisits, 0);
    assert.equal(s.revenueErrorAbs, 0);
    assert.equal(s.trueRevenue, 550);
  });

  it('counts an item charged to the wrong shopper as a false positive there and a miss on the right one', () => {
    const visits = [visit('a', [{ sku: 'cola', qty: 1 }]), visit('b', [])];
    const s = scoreReceipts(visits, [receipt('a', []), receipt('b', [{ sku: 'cola', qty: 1 }])], prices);
    assert.deepEqual([s.tp, s.fp, s.fn], [0, 1, 1]);
    assert.equal(s.itemPrecision, 0);
    assert.equal(s.itemRecall, 0);
    assert.equal(s.itemF1, 0);
    assert.equal(s.exactReceipts, 0);
    assert.equal(s.overchargedVisits, 1);
    assert.equal(s.underchargedVisits, 1);
    assert.equal(s.overchargedVisitsPer1000, 500);
    // Revenue balances overall (signed 0) but each shopper is 200 off.
    assert.equal(s.revenueErrorSigned, 0);
    assert.equal(s.revenueErrorAbs, 2);
  });

  it('counts a missing receipt as everything missed, but exact when nothing was taken', () => {
    const visits = [visit('a', [{ sku: 'gum', qty: 3 }]), visit('b', [])];
    const s = scoreReceipts(visits, [], prices);
    assert.deepEqual([s.tp, s.fp, s.fn], [0, 0, 3]);
    assert.equal(s.missingReceipts, 2);
    assert.equal(s.exactReceiptRate, 0.5);
    assert.equal(s.itemRecall, 0);
    assert.equal(s.itemPrecision, 1, 'nothing charged, so nothing charged wrongly');
    assert.equal(s.underchargedVisitsPer1000, 500);
    assert.equal(s.revenueErrorSigned, -1);
  });

  it('scores partial over- and under-charges by quantity', () => {
    const visits = [visit('a', [{ sku: 'cola', qty: 3 }]), visit('b', [{ sku: 'chips', qty: 1 }])];
    const receipts = [
      receipt('a', [{ sku: 'cola', qty: 2 }]),
      receipt('b', [
        { sku: 'chips', qty: 1 },
        { sku: 'gum', qty: 1 },
      ]),
    ];
    const s = scoreReceipts(visits, receipts, prices);
    assert.deepEqual([s.tp, s.fp, s.fn], [3, 1, 1]);
    assert.equal(s.itemPrecision, 0.75);
    assert.equal(s.itemRecall, 0.75);
    assert.equal(s.overchargedVisits, 1);
    assert.equal(s.underchargedVisits, 1);
    assert.deepEqual(
      s.perVisit.map((v) => [v.visit, v.overcharged, v.undercharged]),
      [
        ['a', false, true],
        ['b', true, false],
      ],
    );
    // a: 400 vs 600 (−200); b: 250 vs 150 (+100); true revenue 750.
    assert.equal(s.revenueErrorAbs, 300 / 750);
    assert.equal(s.revenueErrorSigned, -100 / 750);
  });

  it('sums lines of one SKU and ignores a net put-back below zero', () => {
    const visits = [visit('a', [{ sku: 'cola', qty: 1 }])];
    const r: ScoredReceipt = {
      visit: 'a',
      lines: [
        { sku: 'cola', name: 'cola', qty: 2, unitPrice: 200 },
        { sku: 'cola', name: 'cola', qty: -1, unitPrice: 200 },
        { sku: 'gum', name: 'gum', qty: -1, unitPrice: 100 },
      ],
      total: 200,
    };
    const s = scoreReceipts(visits, [r], prices);
    assert.equal(s.exactReceiptRate, 1);
  });

  it('keeps staff out of shopper figures but reports charges to staff', () => {
    const visits = [visit('a', [{ sku: 'cola', qty: 1 }]), visit('s', [], true)];
    const s = scoreReceipts(
      visits,
      [receipt('a', [{ sku: 'cola', qty: 1 }]), receipt('s', [{ sku: 'gum', qty: 2 }])],
      prices,
    );
    assert.equal(s.visits, 1);
    assert.equal(s.itemPrecision, 1);
    assert.equal(s.staffVisits, 1);
    assert.equal(s.staffVisitsCharged, 1);
    assert.equal(s.staffUnitsCharged, 2);
  });

  it('counts units on a receipt for an unknown visit as false positives', () => {
    const s = scoreReceipts([visit('a', [])], [receipt('ghost', [{ sku: 'gum', qty: 1 }])], prices);
    assert.equal(s.unmatchedReceipts, 1);
    assert.equal(s.fp, 1);
    assert.equal(s.itemPrecision, 0);
    assert.equal(s.revenueErrorAbs, null, 'no true revenue to compare against');
  });
});
