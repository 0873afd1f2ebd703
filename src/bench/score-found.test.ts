import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction } from '../sim/truth.ts';
import { scoreFound } from './score-found.ts';

const drop = (visit: string, sku: string, t: number): TruthInteraction => ({
  t,
  kind: 'drop',
  personId: `p-${visit}`,
  visit,
  plateId: null,
  sku,
  qty: -1,
});

const found = (sessionId: string | null, sku: string, t: number, assignedBy?: string): EngineEvent => ({
  type: 'item.found',
  t,
  data: {
    foundId: `f${t}`,
    handheldId: 'h',
    sku,
    at: [0, 0],
    t,
    sessionId,
    confidence: 0.9,
    candidates: [],
    afterFinal: true,
    ...(assignedBy ? { assignedBy } : {}),
  },
});

test('a find is right when the visit it names dropped that product before; each drop counts once; staff answers are not the engine’s', () => {
  const score = scoreFound(
    [drop('ann', 'COLA', 1_000), drop('bob', 'CHIPS', 2_000), drop('staff', 'COLA', 3_000)],
    new Set(['ann', 'bob']),
    [
      found('ann', 'COLA', 60_000),
      found('ann', 'COLA', 70_000),
      found('bob', 'COLA', 80_000),
      found(null, 'CHIPS', 90_000),
      found('bob', 'CHIPS', 95_000, 'sam'),
    ],
  );
  assert.deepEqual(score, { drops: 2, found: 4, decided: 3, decidedRight: 1 });
});
