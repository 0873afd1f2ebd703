import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TruthInteraction } from '../sim/truth.ts';
import { wrongCauses } from './wrong-causes.ts';

const at = (kind: TruthInteraction['kind'], personId: string, visit: string, sku: string, toPersonId?: string) => ({
  t: 1,
  kind,
  personId,
  visit,
  plateId: null,
  sku,
  qty: kind === 'drop' ? -1 : 1,
  ...(toPersonId ? { toPersonId } : {}),
});

test('each wrong receipt is put down to one cause: review first, then a drop, a handoff, else the decision', () => {
  const visits = ['held', 'dropper', 'giver', 'taker', 'misread', 'right'].map((visit) => ({
    visit,
    receipt: visit === 'taker' ? [{ sku: 'COLA', qty: 1 }] : [],
  }));
  const charged = (visit: string, sku: string) => ({
    visit,
    lines: [{ sku, name: sku, qty: 1, unitPrice: 1 }],
    total: 1,
  });
  const receipts = [
    charged('held', 'GUM'),
    charged('dropper', 'CHIPS'),
    charged('giver', 'COLA'),
    { visit: 'taker', lines: [], total: 0 },
    charged('misread', 'SOAP'),
    { visit: 'right', lines: [], total: 0 },
  ];
  const causes = wrongCauses({
    perVisit: visits.map((v) => ({ visit: v.visit, exact: v.visit === 'right' })),
    visits,
    receipts,
    interactions: [
      at('drop', 'p-held', 'held', 'GUM'),
      at('drop', 'p-dropper', 'dropper', 'CHIPS'),
      // A drop of something the receipt has right does not explain it.
      at('drop', 'p-misread', 'misread', 'GUM'),
      at('handoff', 'p-giver', 'giver', 'COLA', 'p-taker'),
    ],
    people: visits.map((v) => ({ personId: `p-${v.visit}`, visit: v.visit })),
    heldByReview: new Set(['held']),
  });
  assert.deepEqual(causes, { heldByReview: 1, droppedOnFloor: 1, handedOver: 2, decidedWrong: 1 });
});
