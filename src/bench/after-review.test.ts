import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction } from '../sim/truth.ts';
import { foldLines, openCases, oracleChoice, receiptsAfterReview, receiptsBeforeReview } from './after-review.ts';

function opened(sessionId: string, staff = false): EngineEvent {
  return {
    type: 'session.opened',
    t: 0,
    data: {
      sessionId,
      account: sessionId,
      partySize: 1,
      gateId: 'g',
      opened: 0,
      state: 'admitted',
      trackIds: [],
      staff,
    },
  };
}

function line(sessionId: string, sku: string, qty: number, reviewCaseId?: string): EngineEvent {
  const data: CartLine = {
    lineId: `${sessionId}/${sku}/${qty}/${reviewCaseId ?? ''}`,
    sessionId,
    kind: qty > 0 ? 'add' : 'remove',
    sku,
    qty,
    unitPrice: 100,
    evidence: { shelfEventId: 'e', ...(reviewCaseId ? { reviewCaseId } : {}) },
    confidence: 1,
    t: 1,
  };
  return { type: 'cart.line', t: 1, data };
}

function review(caseId: string, blocking: string[]): EngineEvent {
  return {
    type: 'review.opened',
    t: 2,
    data: { caseId, shelfEventId: 'e', opened: 2, reason: 'r', alternatives: [], blocking },
  };
}

const finalOf = (visit: string, sku: string, qty: number): EngineEvent => ({
  type: 'receipt.final',
  t: 5,
  data: {
    visit,
    account: visit,
    lines: [{ sku, name: sku, qty, unitPrice: 100 }],
    total: qty * 100,
    currency: 'USD',
    status: 'final',
    entered: 0,
    exited: 4,
    finalAt: 5,
  },
});

describe('foldLines', () => {
  it('nets adds and removes per SKU and drops what went back', () => {
    const lines = [line('a', 'cola', 2), line('a', 'cola', -1), line('a', 'gum', 1), line('a', 'gum', -1)];
    const r = foldLines(
      'a',
      lines.map((e) => e.data as CartLine),
    );
    assert.deepEqual(r.lines, [{ sku: 'cola', name: 'cola', qty: 1, unitPrice: 100 }]);
    assert.equal(r.total, 100);
  });
});

describe('receipts before and after review', () => {
  const events: EngineEvent[] = [
    opened('a'),
    opened('b'),
    opened('staff', true),
    line('a', 'cola', 1),
    finalOf('a', 'cola', 1),
    line('b', 'gum', 1),
    review('c1', ['b']),
  ];

  it('charges a held session its automatic lines before review, and skips staff', () => {
    const before = receiptsBeforeReview(events);
    assert.deepEqual(
      before.map((r) => [r.visit, r.lines.map((l) => `${l.sku}x${l.qty}`)]),
      [
        ['a', ['colax1']],
        ['b', ['gumx1']],
      ],
    );
  });

  it('adds the reviewer lines to the sessions a case touched after review', () => {
    const after = receiptsAfterReview([...events, line('b', 'chips', 2, 'c1')]);
    const b = after.find((r) => r.visit === 'b')!;
    assert.deepEqual(
      b.lines.map((l) => `${l.sku}x${l.qty}`),
      ['gumx1', 'chipsx2'],
    );
    assert.equal(after.find((r) => r.visit === 'a')!.total, 100);
  });

  it("charges nobody a reviewer's line that came after the receipt was final (nothing charges it)", () => {
    const late = line('a', 'chips', 1, 'c1');
    if (late.type === 'cart.line') late.data.afterFinal = true;
    const after = receiptsAfterReview([...events, line('b', 'chips', 2, 'c1'), late]);
    assert.deepEqual(
      after.map((r) => [r.visit, r.lines.map((l) => `${l.sku}x${l.qty}`)]),
      [
        ['a', ['colax1']],
        ['b', ['gumx1', 'chipsx2']],
      ],
    );
  });

  it('lists cases still open', () => {
    const resolved: EngineEvent = {
      type: 'review.resolved',
      t: 9,
      data: { caseId: 'c1', choice: { sessionId: null, items: [], probability: 1 }, reviewer: 'x', t: 9 },
    };
    assert.deepEqual(
      openCases([...events, review('c2', [])]).map((c) => c.caseId),
      ['c1', 'c2'],
    );
    assert.deepEqual(openCases([...events, resolved]), []);
  });
});

describe('oracleChoice', () => {
  const act = (visit: string | null, sku: string, qty: number): TruthInteraction => ({
    t: 0,
    kind: 'pick',
    personId: 'p',
    visit,
    plateId: 'p1',
    sku,
    qty,
  });
  const interactions = [act('a', 'cola', 1), act('b', 'cola', 2), act(null, 'gum', -6), act('staff', 'gum', -1)];
  const shoppers = new Set(['a', 'b']);

  it('charges the true shopper the true items', () => {
    assert.deepEqual(oracleChoice([0], interactions, shoppers), {
      sessionId: 'a',
      items: [{ sku: 'cola', qty: 1 }],
      probability: 1,
    });
  });

  it('charges every shopper of a merged event, the one with the most units first', () => {
    assert.deepEqual(oracleChoice([0, 1], interactions, shoppers), {
      sessionId: 'b',
      items: [{ sku: 'cola', qty: 2 }],
      with: [{ sessionId: 'a', items: [{ sku: 'cola', qty: 1 }] }],
      probability: 1,
    });
  });

  it('charges nobody for staff, tailgaters and phantom events, keeping the items for the stock', () => {
    assert.deepEqual(oracleChoice([2, 3], interactions, shoppers), {
      sessionId: null,
      items: [{ sku: 'gum', qty: -7 }],
      probability: 1,
    });
    assert.deepEqual(oracleChoice(undefined, interactions, shoppers), { sessionId: null, items: [], probability: 1 });
  });
});
