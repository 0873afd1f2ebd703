import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import { sessionClosed, sessionOpened, T0 } from './test-fixtures.ts';
import { VisitBook } from './visits.ts';

const receiptFinal = (visit: string, t: number, total: number): EngineEvent => ({
  type: 'receipt.final',
  t,
  data: {
    visit,
    account: visit,
    lines: [],
    total,
    currency: 'USD',
    status: 'final',
    entered: t,
    exited: t,
    finalAt: t,
  },
});

const line = (lineId: string, qty: number, evidence: CartLine['evidence']): CartLine => ({
  lineId,
  sessionId: 'door@1',
  kind: qty > 0 ? 'add' : 'correction',
  sku: 'COLA',
  qty,
  unitPrice: 199,
  evidence,
  confidence: 0.95,
  t: 2,
});

test("a visit's timeline says where each cart line came from, an item found on the floor included", () => {
  const book = new VisitBook();
  const session = { account: 'ann', partySize: 1, gateId: 'door', opened: 0, state: 'admitted' as const };
  book.apply({ type: 'session.opened', t: 0, data: { ...session, sessionId: 'door@1', trackIds: [], staff: false } });
  book.apply({ type: 'cart.line', t: 2, data: line('a', 1, { shelfEventId: 'E1' }) });
  book.apply({
    type: 'cart.line',
    t: 9,
    data: line('b', -1, { foundId: 'found-h1-9-COLA', note: 'found on the floor' }),
  });
  const texts = book.get('door@1')?.timeline.map((e) => e.text) ?? [];
  assert.deepEqual(texts.slice(1), [
    '+1 × COLA (shelf E1, p=0.95)',
    '-1 × COLA (found on the floor found-h1-9-COLA, p=0.95)',
  ]);
});

test("a long day: every visit counts in the day's figures, the latest keep their details, none pending is dropped", () => {
  const book = new VisitBook({ keepVisits: 5, keepDetails: 2 });
  const visit = (i: number, receipt: boolean) => {
    const sessionId = `door@${i}`;
    const t = T0 + i * 60_000;
    book.apply(sessionOpened(sessionId, t));
    book.apply(sessionClosed(sessionId, t + 30_000));
    if (receipt) book.apply(receiptFinal(sessionId, t + 33_000, 199));
  };
  visit(1, false); // left, its receipt still waits for a review
  for (let i = 2; i <= 8; i++) visit(i, true);
  const all = book.list();
  assert.equal(all.length, 5);
  assert.ok(book.get('door@1'), 'a visit whose receipt is pending stays');
  assert.deepEqual(
    all
      .filter((v) => v.timeline.length > 0)
      .map((v) => v.sessionId)
      .sort(),
    ['door@1', 'door@7', 'door@8'],
    'details of the latest settled two, and of the one still open',
  );
});
