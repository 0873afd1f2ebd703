import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choiceProblem, resolutionMoves } from './types.ts';

test('a resolution keeps the put-backs it shares with what the case applied, undoes the rest, applies the rest', () => {
  const applied = [
    { plateId: 'p1', sku: 'FUNYUNS', qty: -2 },
    { plateId: 'p1', sku: 'CLIF', qty: -1 },
  ];
  // The reviewer says a Clif bar: the two Funyuns go, the Clif bar stays put (nothing to apply).
  assert.deepEqual(resolutionMoves(applied, [{ sku: 'CLIF', qty: -1 }]), {
    undo: [{ plateId: 'p1', sku: 'FUNYUNS', qty: -2 }],
    apply: [],
  });
  // One Funyuns, not two: one is undone.
  assert.deepEqual(resolutionMoves(applied, [{ sku: 'FUNYUNS', qty: -1 }]), {
    undo: [
      { plateId: 'p1', sku: 'FUNYUNS', qty: -1 },
      { plateId: 'p1', sku: 'CLIF', qty: -1 },
    ],
    apply: [],
  });
  // Three units back where two were applied: the third is applied.
  assert.deepEqual(resolutionMoves(applied, [{ sku: 'FUNYUNS', qty: -3 }]).apply, [{ sku: 'FUNYUNS', qty: -1 }]);
  // Picks are undone and redone as before (stock a pick took is there to put back).
  assert.deepEqual(resolutionMoves([{ plateId: 'p1', sku: 'SODA', qty: 1 }], [{ sku: 'SODA', qty: 1 }]), {
    undo: [{ plateId: 'p1', sku: 'SODA', qty: 1 }],
    apply: [{ sku: 'SODA', qty: 1 }],
  });
});

test("a reviewer's choice names products the store sells, whole counts and sessions that exist", () => {
  const known = { hasProduct: (sku: string) => sku === 'CLIF', hasSession: (id: string) => id.startsWith('S-') };
  const pick = (sessionId: string | null, sku = 'CLIF', qty = 1) => ({ sessionId, items: [{ sku, qty }] });
  assert.equal(choiceProblem(pick('S-open'), known), null);
  assert.equal(choiceProblem(pick(null), known), null, 'nobody');
  assert.match(choiceProblem(pick('ghost'), known) ?? '', /no session ghost/);
  assert.match(choiceProblem(pick(null, 'FAKE'), known) ?? '', /no product FAKE/);
  assert.match(choiceProblem(pick('S-open', 'CLIF', 0), known) ?? '', /not a count/);
  const merged = { ...pick('S-open'), with: [{ sessionId: 'ghost', items: [{ sku: 'CLIF', qty: 1 }] }] };
  assert.match(choiceProblem(merged, known) ?? '', /no session ghost/, 'the partner of a merged take too');
});
