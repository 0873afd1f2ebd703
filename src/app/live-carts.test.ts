/**
 * The app's cart projection: lines folded per SKU with put-backs, owners kept apart, staff hidden, finished carts
 * dropped after a while of event time.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { Session } from '../identity/types.ts';
import { LiveCarts } from './live-carts.ts';

const session = (sessionId: string, account: string, staff = false): Session => ({
  sessionId,
  account,
  partySize: 2,
  gateId: 'door',
  opened: 1_000,
  state: 'admitted',
  trackIds: [],
  staff,
});

const line = (sessionId: string, lineId: string, sku: string, qty: number, t: number): EngineEvent => {
  const data: CartLine = {
    lineId,
    sessionId,
    kind: qty > 0 ? 'add' : 'remove',
    sku,
    qty,
    unitPrice: 199,
    evidence: {},
    confidence: 0.99,
    t,
  };
  return { type: 'cart.line', t, data };
};

it('folds cart lines per SKU for the owner only, and keeps staff out', () => {
  const carts = new LiveCarts({
    productName: (s) => (s === 'WATER' ? 'Water' : undefined),
    currency: 'USD',
    keepMs: 60_000,
  });
  assert.equal(carts.apply({ type: 'session.opened', t: 1_000, data: session('s1', 'ann') }), 'ann');
  assert.equal(carts.apply({ type: 'session.opened', t: 1_000, data: session('s2', 'bob') }), 'bob');
  assert.equal(carts.apply({ type: 'session.opened', t: 1_000, data: session('s3', 'sam', true) }), null);
  carts.apply(line('s1', 'l1', 'WATER', 2, 2_000));
  carts.apply(line('s1', 'l1', 'WATER', 2, 2_000)); // the same line twice (a replay) counts once
  carts.apply(line('s1', 'l2', 'WATER', -1, 3_000));
  carts.apply(line('s1', 'l3', 'GUM', 1, 3_500));
  carts.apply(line('s1', 'l4', 'GUM', -1, 3_600));
  const [ann] = carts.cartsOf('ann');
  assert.deepEqual(ann?.lines, [{ sku: 'WATER', name: 'Water', qty: 1, unitPrice: 199, amount: 199 }]);
  assert.deepEqual([ann?.total, ann?.state], [199, 'inside']);
  assert.deepEqual(carts.cartsOf('bob')[0]?.lines, []);
  assert.deepEqual(carts.cartsOf('sam'), []);
  assert.equal(carts.cart('s1')?.account, 'ann');
  assert.equal(carts.cart('s9'), undefined);
});

it('shows the final total after the receipt, then forgets the cart', () => {
  const carts = new LiveCarts({ productName: () => undefined, currency: 'USD', keepMs: 60_000 });
  carts.apply({ type: 'session.opened', t: 1_000, data: session('s1', 'ann') });
  carts.apply(line('s1', 'l1', 'WATER', 1, 2_000));
  carts.apply({ type: 'session.closed', t: 3_000, data: { sessionId: 's1', reason: 'exit' } });
  assert.equal(carts.cartsOf('ann')[0]?.state, 'exited');
  const receipt = {
    visit: 's1',
    account: 'ann',
    lines: [],
    total: 150,
    currency: 'USD',
    status: 'final' as const,
    entered: 1_000,
    exited: 3_000,
    finalAt: 6_000,
  };
  assert.equal(carts.apply({ type: 'receipt.final', t: 6_000, data: receipt }), 'ann');
  assert.deepEqual([carts.cartsOf('ann')[0]?.state, carts.cartsOf('ann')[0]?.total], ['final', 150]);
  carts.apply({ type: 'session.opened', t: 70_000, data: session('s2', 'bob') });
  assert.deepEqual(carts.cartsOf('ann'), []);
});

it('counts as the receipt does: a put-back decided before its pick shows nothing, prices locked by the first add', () => {
  const carts = new LiveCarts({ productName: () => undefined, currency: 'USD' });
  carts.apply({ type: 'session.opened', t: 1_000, data: session('s1', 'ann') });
  // The pick went to review; its put-back was committed first [C2].
  carts.apply(line('s1', 'back', 'COLA', -1, 2_000));
  assert.deepEqual(carts.cartsOf('ann')[0]?.lines, [], 'no "Cola −1" line');
  assert.equal(carts.cartsOf('ann')[0]?.total, 0);
  carts.apply(line('s1', 'pick', 'COLA', 1, 3_000));
  carts.apply({
    type: 'cart.line',
    t: 4_000,
    data: { ...(line('s1', 'more', 'COLA', 1, 4_000).data as CartLine), unitPrice: 249 },
  });
  assert.deepEqual(carts.cartsOf('ann')[0]?.lines, [
    { sku: 'COLA', name: 'COLA', qty: 1, unitPrice: 199, amount: 199 },
  ]);
});
