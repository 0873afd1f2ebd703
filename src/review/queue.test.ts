import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import { WalkoutError } from '../errors.ts';
import { CASE_TRANSITIONS, caseEventFor, isCaseClosed, nextCaseState } from './case-state.ts';
import { linesForResolution, projectReviewQueue, ReviewQueue } from './queue.ts';
import type { ReviewAlternative, ReviewCase } from './types.ts';

const alt = (sessionId: string | null, sku = 'cola', qty = 1, probability = 0.5): ReviewAlternative => ({
  sessionId,
  items: [{ sku, qty }],
  probability,
});

function opened(caseId: string, t: number, blocking: string[]): EngineEvent {
  const data: ReviewCase = {
    caseId,
    shelfEventId: `ev-${caseId}`,
    opened: t,
    reason: 'race',
    alternatives: blocking.map((s) => alt(s)),
    blocking,
  };
  return { type: 'review.opened', t, data };
}
const resolved = (caseId: string, t: number, choice: ReviewAlternative): EngineEvent => ({
  type: 'review.resolved',
  t,
  data: { caseId, choice, reviewer: 'ops', t },
});
const closed = (sessionId: string, t: number): EngineEvent => ({
  type: 'session.closed',
  t,
  data: { sessionId, reason: 'exit' },
});

test('[R1] a case goes open → resolved or open → dismissed, and never twice', () => {
  assert.deepEqual(nextCaseState('open', 'resolve'), { ok: true, value: 'resolved' });
  assert.deepEqual(nextCaseState('open', 'dismiss'), { ok: true, value: 'dismissed' });
  for (const s of ['resolved', 'dismissed'] as const) {
    assert.equal(nextCaseState(s, 'resolve').ok, false);
    assert.ok(isCaseClosed(s));
  }
  assert.equal(isCaseClosed('open'), false);
  assert.deepEqual(Object.keys(CASE_TRANSITIONS).sort(), ['dismissed', 'open', 'resolved']);
});

test('[R1] choosing "nobody" or nothing dismisses; charging someone resolves', () => {
  assert.equal(caseEventFor(alt(null)), 'dismiss');
  assert.equal(caseEventFor(alt('A', 'cola', 0)), 'dismiss');
  assert.equal(caseEventFor(alt('A')), 'resolve');
});

test('[R2] open cases blocking a party that left come first, then oldest first', () => {
  const q = projectReviewQueue([
    opened('c1', 100, ['A']),
    opened('c2', 200, ['B', 'C']),
    opened('c3', 300, ['D']),
    opened('c4', 50, ['E']),
    closed('C', 400),
    closed('D', 410),
  ]);
  assert.deepEqual(
    q.openCases().map((c) => c.caseId),
    ['c2', 'c3', 'c4', 'c1'],
  );
});

test('[R3] a resolution records its time and how long the case was open, and leaves the queue', () => {
  const q = projectReviewQueue([opened('c1', 100, ['A', 'B']), resolved('c1', 4100, alt('B'))]);
  assert.deepEqual(q.openCases(), []);
  const c = q.get('c1');
  assert.equal(c?.state, 'resolved');
  assert.equal(c?.resolvedAt, 4100);
  assert.equal(c?.openMs, 4000);
  assert.equal(q.closedCases().length, 1);
});

test('[R3] a resolution produces the chosen lines on the chosen session', () => {
  const q = projectReviewQueue([opened('c1', 100, ['A', 'B'])]);
  const c = q.get('c1')!;
  const lines = linesForResolution(
    c,
    { caseId: 'c1', choice: alt('B', 'chips', 2), reviewer: 'ops', t: 900 },
    () => 349,
  );
  assert.deepEqual(
    lines.map((l) => [l.sessionId, l.sku, l.qty, l.unitPrice, l.confidence, l.evidence.shelfEventId]),
    [['B', 'chips', 2, 349, 1, 'ev-c1']],
  );
  assert.deepEqual(
    linesForResolution(c, { caseId: 'c1', choice: alt(null), reviewer: 'ops', t: 900 }, () => 1),
    [],
  );
});

test('[R4] a session is blocked while any open case names it', () => {
  const q = new ReviewQueue();
  for (const e of [opened('c1', 100, ['A']), opened('c2', 200, ['A', 'B'])]) assert.ok(q.apply(e).ok);
  assert.equal(q.blocking('A').length, 2);
  assert.ok(q.apply(resolved('c1', 300, alt('A'))).ok);
  assert.deepEqual(
    q.blocking('A').map((c) => c.caseId),
    ['c2'],
  );
  assert.ok(q.apply(resolved('c2', 400, alt(null))).ok);
  assert.deepEqual(q.blocking('A'), []);
  assert.equal(q.get('c2')?.state, 'dismissed');
});

test('[R1] deciding a case twice or an unknown case is refused; a log doing so is broken', () => {
  const q = new ReviewQueue();
  q.apply(opened('c1', 100, ['A']));
  q.apply(resolved('c1', 200, alt('A')));
  const again = q.apply(resolved('c1', 300, alt(null)));
  assert.equal(again.ok ? '' : again.code, 'CASE_NOT_OPEN');
  const unknown = q.apply(resolved('zz', 300, alt('A')));
  assert.equal(unknown.ok ? '' : unknown.code, 'NO_SUCH_CASE');
  assert.equal(q.apply(opened('c1', 100, ['A'])).ok, false);
  assert.throws(
    () => projectReviewQueue([opened('c1', 100, ['A']), resolved('c1', 200, alt('A')), resolved('c1', 300, alt('A'))]),
    (e: unknown) => e instanceof WalkoutError && e.code === 'CASE_NOT_OPEN',
  );
});
