import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import { VisitBook } from './visits.ts';

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
