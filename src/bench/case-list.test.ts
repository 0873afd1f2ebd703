import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReviewCase } from '../review/types.ts';
import { answerText, formatCaseList, summarizeCase } from './case-list.ts';

const race: ReviewCase = {
  caseId: 'R-p1@1',
  shelfEventId: 'p1@1',
  opened: 1,
  reason: 'not confident',
  confidence: 0.52,
  blocking: ['ann', 'bob'],
  alternatives: [
    { sessionId: 'bob', items: [{ sku: 'cola', qty: 1 }], probability: 0.52 },
    { sessionId: 'ann', items: [{ sku: 'cola', qty: 1 }], probability: 0.47 },
  ],
};

test('an answer reads the same whichever order its shares and items come in', () => {
  const split = {
    sessionId: 'bob',
    items: [{ sku: 'gum', qty: 1 }],
    with: [{ sessionId: 'ann', items: [{ sku: 'cola', qty: 2 }] }],
  };
  const same = {
    sessionId: 'ann',
    items: [{ sku: 'cola', qty: 2 }],
    with: [{ sessionId: 'bob', items: [{ sku: 'gum', qty: 1 }] }],
  };
  assert.equal(answerText(split), 'ann: 2×cola + bob: 1×gum');
  assert.equal(answerText(same), answerText(split));
  assert.equal(answerText({ sessionId: null, items: [{ sku: 'cola', qty: -1 }] }), 'nobody: -1×cola');
  // Repeated SKUs are summed and what nets to nothing is left out.
  const twice = {
    sessionId: 'ann',
    items: [
      { sku: 'cola', qty: 1 },
      { sku: 'gum', qty: 1 },
      { sku: 'cola', qty: 1 },
      { sku: 'gum', qty: -1 },
    ],
  };
  assert.equal(answerText(twice), 'ann: 2×cola');
});

test('a top answer charging nobody is right against a truth charging nobody, whatever each says moved', () => {
  const staffRestock = {
    ...race,
    alternatives: [{ sessionId: null, items: [{ sku: 'cola', qty: -2 }], probability: 0.6 }],
  };
  const listed = summarizeCase(staffRestock, { sessionId: null, items: [], probability: 1 });
  assert.equal(listed.topRight, true);
  assert.equal(listed.top, 'nobody: -2×cola');
  assert.equal(listed.truth, 'nobody: nothing');
  assert.equal(summarizeCase({ ...race, alternatives: [] }, race.alternatives[0]!).topRight, false);
});

test('a case is listed with its top answer beside the truth, and whether the top was right', () => {
  const wrong = summarizeCase(race, { sessionId: 'ann', items: [{ sku: 'cola', qty: 1 }], probability: 1 });
  assert.deepEqual(wrong, {
    caseId: 'R-p1@1',
    shelfEventId: 'p1@1',
    confidence: 0.52,
    top: 'bob: 1×cola',
    truth: 'ann: 1×cola',
    topRight: false,
  });
  assert.equal(summarizeCase(race, { ...race.alternatives[0]!, probability: 1 }).topRight, true);
  const wrongVisits = {
    heldByReview: 1,
    droppedOnFloor: 0,
    handedOver: 0,
    decidedWrong: 0,
    visits: [{ visit: 'ann', cause: 'heldByReview' as const, off: { cola: -1 } }],
  };
  const none = { heldByReview: 0, droppedOnFloor: 0, handedOver: 0, decidedWrong: 0, visits: [] };
  const text = formatCaseList([wrong], wrongVisits, none);
  assert.match(text, /0\.52 p1@1 {2}bob: 1×cola {2}\| {2}ann: 1×cola {2}\(top WRONG\)/);
  assert.match(text, /Walkout's wrong receipts before review \(1\)[^\n]*\n {2}ann {2}heldByReview {2}-1×cola/);
  assert.match(text, /wrong receipts after review \(0\)/);
});
