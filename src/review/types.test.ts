import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolutionMoves } from './types.ts';

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
