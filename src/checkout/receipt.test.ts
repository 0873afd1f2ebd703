import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import { buildReceipt } from './receipt.ts';

const store = {
  products: new Map([
    ['cola', { name: 'Cola 33cl', price: 199 }],
    ['chips', { name: 'Salted chips', price: 349 }],
  ]),
  def: { currency: 'EUR' },
};
const session = { sessionId: 'gate1@1000', account: 'alice', opened: 1000 };

let n = 0;
const line = (sku: string, qty: number, sessionId = session.sessionId, unitPrice = 199): CartLine => ({
  lineId: `L${++n}`,
  sessionId,
  kind: qty > 0 ? 'add' : 'remove',
  sku,
  qty,
  unitPrice,
  evidence: {},
  confidence: 1,
  t: 2000 + n,
});

test('[C6] lines are aggregated per SKU, returned ones dropped, total in minor units', () => {
  const lines = [
    line('cola', 1),
    line('chips', 2, session.sessionId, 349),
    line('cola', 2),
    line('gum', 1, session.sessionId, 99),
    line('gum', -1, session.sessionId, 99),
    line('cola', 5, 'someone-else'),
  ];
  const r = buildReceipt({ store, session, lines, status: 'final', exited: 9000, finalAt: 12000 });
  assert.deepEqual(r.lines, [
    { sku: 'cola', name: 'Cola 33cl', qty: 3, unitPrice: 199 },
    { sku: 'chips', name: 'Salted chips', qty: 2, unitPrice: 349 },
  ]);
  assert.equal(r.total, 3 * 199 + 2 * 349);
  assert.equal(r.currency, 'EUR');
  assert.equal(r.visit, 'gate1@1000');
  assert.equal(r.account, 'alice');
  assert.equal(r.entered, 1000);
  assert.equal(r.exited, 9000);
  assert.equal(r.finalAt, 12000);
});

test('[C6] an empty visit gives an empty receipt with total 0; unknown SKUs print their code', () => {
  const empty = buildReceipt({ store, session, lines: [], status: 'final', exited: 5000, finalAt: 5000 });
  assert.deepEqual(empty.lines, []);
  assert.equal(empty.total, 0);
  const odd = buildReceipt({
    store,
    session,
    lines: [line('retired', 1)],
    status: 'open',
    exited: null,
    finalAt: null,
  });
  assert.equal(odd.lines[0]?.name, 'retired');
});

test('[C6] a receipt that is not final has no finalAt', () => {
  const r = buildReceipt({
    store,
    session,
    lines: [line('cola', 1)],
    status: 'pending-review',
    exited: 9000,
    finalAt: 9500,
  });
  assert.equal(r.status, 'pending-review');
  assert.equal(r.finalAt, null);
});
