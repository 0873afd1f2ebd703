import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction } from '../sim/truth.ts';
import { scoreHandoffs } from './score-handoffs.ts';

const people = [
  { personId: 'p1', visit: 'a' },
  { personId: 'p2', visit: 'b' },
  { personId: 'p3', visit: 'a' },
];
const handoff = (t: number, personId: string, visit: string, toPersonId: string, sku = 'cola'): TruthInteraction => ({
  t,
  kind: 'handoff',
  personId,
  visit,
  plateId: null,
  sku,
  qty: 1,
  toPersonId,
});
const moved = (t: number, from: string, to: string, sku = 'cola'): EngineEvent => ({
  type: 'handoff',
  t,
  data: {
    handoffId: `H-${t}`,
    t,
    fromSessionId: from,
    toSessionId: to,
    fromTrackId: 'T1',
    toTrackId: 'T2',
    sku,
    qty: 1,
    confidence: 0.9,
  },
});

test('a move matching a true handoff between two visits is right; a family handing within itself does not count', () => {
  const truth = [handoff(10_000, 'p1', 'a', 'p2'), handoff(50_000, 'p1', 'a', 'p3')];
  const score = scoreHandoffs(truth, people, new Set(['a', 'b']), [moved(11_000, 'a', 'b')]);
  assert.deepEqual(score, { handoffs: 1, moved: 1, movedRight: 1 });
});

test('a move the wrong way, of another SKU, too late, or twice for one handoff is wrong', () => {
  const truth = [handoff(10_000, 'p1', 'a', 'p2')];
  const events = [
    moved(10_500, 'b', 'a'),
    moved(10_500, 'a', 'b', 'gum'),
    moved(20_000, 'a', 'b'),
    moved(10_200, 'a', 'b'),
    moved(10_300, 'a', 'b'),
  ];
  assert.deepEqual(scoreHandoffs(truth, people, new Set(['a', 'b']), events), { handoffs: 1, moved: 5, movedRight: 1 });
});
