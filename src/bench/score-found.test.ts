import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction } from '../sim/truth.ts';
import { DropBook, scoreFound } from './score-found.ts';

const drop = (visit: string | null, sku: string, t: number): TruthInteraction => ({
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
  const book = new DropBook(
    [drop('ann', 'COLA', 1_000), drop('bob', 'CHIPS', 2_000), drop('staff', 'COLA', 3_000)],
    new Set(['ann', 'bob']),
  );
  const score = scoreFound(book, [
    found('ann', 'COLA', 60_000),
    found('ann', 'COLA', 70_000),
    found('bob', 'COLA', 80_000),
    found(null, 'CHIPS', 90_000),
    found('bob', 'CHIPS', 95_000, 'sam'),
  ]);
  assert.deepEqual(score, { drops: 2, found: 4, decided: 3, decidedRight: 1 });
});

test('the drop book gives each drop out once: to a named visit first, then to anyone (the oracle), then no more', () => {
  const book = new DropBook(
    [drop('a', 'cola', 10), drop('b', 'cola', 20), drop(null, 'gum', 5), drop('c', 'cola', 90)],
    new Set(['a', 'b', 'c']),
  );
  assert.equal(
    book.take('cola', 50, (v) => v === 'b' || v === 'c'),
    'b',
  );
  assert.equal(
    book.take('cola', 50, () => true),
    'a',
  );
  assert.equal(
    book.take('cola', 50, () => true),
    null,
    'c dropped its cola after the find',
  );
  assert.equal(
    book.take('gum', 50, () => true),
    null,
    'nobody of a visit dropped gum',
  );
  assert.equal(book.size, 3);
});
