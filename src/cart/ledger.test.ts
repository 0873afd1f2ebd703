import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WalkoutError } from '../errors.ts';
import { correctionLines, linesFromDecision, linesFromResolution, netItems, projectCarts } from './ledger.ts';
import type { CartLine } from './types.ts';

const PRICES: Record<string, number> = { cola: 199, chips: 349, gum: 99 };
const priceOf = (sku: string) => PRICES[sku];

let n = 0;
function line(sessionId: string, sku: string, qty: number, over: Partial<CartLine> = {}): CartLine {
  n += 1;
  return {
    lineId: `L${n}`,
    sessionId,
    kind: qty > 0 ? 'add' : 'remove',
    sku,
    qty,
    unitPrice: PRICES[sku] ?? 0,
    evidence: { shelfEventId: `e${n}` },
    confidence: 0.97,
    t: 1000 + n,
    ...over,
  };
}

test('[C1] lines fold into contents and a running total per session', () => {
  const ledger = projectCarts([
    line('A', 'cola', 2),
    line('B', 'gum', 1),
    line('A', 'chips', 1),
    line('A', 'cola', -1),
  ]);
  const a = ledger.view('A');
  assert.deepEqual(a.items, [
    { sku: 'cola', qty: 1, unitPrice: 199 },
    { sku: 'chips', qty: 1, unitPrice: 349 },
  ]);
  assert.equal(a.total, 199 + 349);
  assert.equal(a.lines, 3);
  assert.deepEqual([...ledger.contents('B')], [['gum', 1]]);
  assert.deepEqual(ledger.sessions().sort(), ['A', 'B']);
});

test('[C1] the same line delivered twice counts once; a reused id with other content is refused', () => {
  const l = line('A', 'cola', 1);
  const ledger = projectCarts([l, { ...l }]);
  assert.equal(ledger.view('A').items[0]?.qty, 1);
  assert.throws(
    () => ledger.apply({ ...l, qty: 2 }),
    (e: unknown) => e instanceof WalkoutError && e.code === 'LINE_ID_CONFLICT',
  );
});

test('[C2] quantities never go negative: an early return is held as an unmatched credit', () => {
  const early = projectCarts([line('A', 'cola', -1)]);
  assert.deepEqual(early.view('A').items, []);
  assert.equal(early.view('A').total, 0);
  assert.deepEqual(early.view('A').unmatched, [{ sku: 'cola', qty: 1 }]);
  assert.equal(early.contents('A').size, 0);
});

test('[C2] an unmatched credit absorbs the later add, so the order reviews land in does not matter', () => {
  const pick = line('A', 'cola', 1, { kind: 'add', evidence: { reviewCaseId: 'R1' } });
  const back = line('A', 'cola', -1);
  for (const order of [
    [pick, back],
    [back, pick],
  ]) {
    const v = projectCarts(order).view('A');
    assert.deepEqual(v.items, []);
    assert.deepEqual(v.unmatched, []);
  }
});

test('[C3] the unit price is locked by the first add of the SKU', () => {
  const v = projectCarts([line('A', 'cola', 1, { unitPrice: 199 }), line('A', 'cola', 1, { unitPrice: 249 })]).view(
    'A',
  );
  assert.deepEqual(v.items, [{ sku: 'cola', qty: 2, unitPrice: 199 }]);
  assert.equal(v.total, 398);
});

test('[C4] lines from a decision have deterministic ids, one per SKU, signed by direction', () => {
  const decision = {
    sessionId: 'A',
    items: [
      { sku: 'cola', qty: 2 },
      { sku: 'gum', qty: -1 },
      { sku: 'cola', qty: 1 },
    ],
    confidence: 0.96,
  };
  const event = { id: 'p1@100', tDecided: 150 };
  const lines = linesFromDecision(decision, event, priceOf);
  assert.deepEqual(linesFromDecision(decision, event, priceOf), lines);
  assert.deepEqual(
    lines.map((l) => [l.lineId, l.kind, l.sku, l.qty, l.unitPrice, l.confidence, l.t]),
    [
      ['p1@100/A/cola', 'add', 'cola', 3, 199, 0.96, 150],
      ['p1@100/A/gum', 'remove', 'gum', -1, 99, 0.96, 150],
    ],
  );
  assert.equal(lines[0]?.evidence.shelfEventId, 'p1@100');
});

test('[C5] a decision charging nobody makes no lines; an unknown SKU is a broken invariant', () => {
  assert.deepEqual(
    linesFromDecision(
      { sessionId: null, items: [{ sku: 'cola', qty: -6 }], confidence: 1 },
      { id: 'e', tDecided: 1 },
      priceOf,
    ),
    [],
  );
  assert.throws(
    () =>
      linesFromDecision(
        { sessionId: 'A', items: [{ sku: 'caviar', qty: 1 }], confidence: 1 },
        { id: 'e', tDecided: 1 },
        priceOf,
      ),
    (e: unknown) => e instanceof WalkoutError && e.code === 'UNKNOWN_SKU',
  );
});

test('[R3] a resolution becomes lines with reviewer confidence 1, pointing at the case', () => {
  const lines = linesFromResolution(
    { caseId: 'R-e7', choice: { sessionId: 'B', items: [{ sku: 'chips', qty: 1 }], probability: 0.5 }, t: 9000 },
    'e7',
    priceOf,
  );
  assert.deepEqual(
    lines.map((l) => [
      l.lineId,
      l.sessionId,
      l.qty,
      l.confidence,
      l.t,
      l.evidence.reviewCaseId,
      l.evidence.shelfEventId,
    ]),
    [['R-e7/B/chips', 'B', 1, 1, 9000, 'R-e7', 'e7']],
  );
});

test('[C1] a correction is a new line with the difference, never an edit', () => {
  const wrong = linesFromDecision(
    { sessionId: 'A', items: [{ sku: 'gum', qty: 2 }], confidence: 0.93 },
    { id: 'e9', tDecided: 10 },
    priceOf,
  );
  const fix = correctionLines(
    {
      correctionId: 'C-1',
      sessionId: 'A',
      existing: wrong,
      target: [
        { sku: 'gum', qty: 1 },
        { sku: 'cola', qty: 1 },
      ],
      note: 'dispute',
      t: 20,
    },
    priceOf,
  );
  assert.deepEqual(
    fix.map((l) => [l.lineId, l.kind, l.sku, l.qty]),
    [
      ['C-1/A/gum', 'correction', 'gum', -1],
      ['C-1/A/cola', 'correction', 'cola', 1],
    ],
  );
  const v = projectCarts([...wrong, ...fix]).view('A');
  assert.deepEqual(
    v.items.map((i) => [i.sku, i.qty]),
    [
      ['gum', 1],
      ['cola', 1],
    ],
  );
  assert.equal(wrong[0]?.qty, 2, 'the original line is untouched');
});

test('[C1] netItems sums per SKU and drops zeros', () => {
  assert.deepEqual(
    netItems([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 1 },
      { sku: 'a', qty: -1 },
    ]),
    [{ sku: 'b', qty: 1 }],
  );
});
