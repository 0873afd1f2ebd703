/**
 * Inventory arithmetic over engine events on the hand-made ops store: picks, put-backs, misplaced items, staff
 * restocks, review cases, shrink, reconciliation against readings and recounts — and, with the simulator, that the
 * projection ends where the engine's own plate stock does.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent } from '../src/engine/events.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import { Inventory, likelySkuForGrams } from '../src/ops/inventory.ts';
import {
  cartLine,
  opsStore,
  reviewOpened,
  reviewResolved,
  sessionClosed,
  sessionOpened,
  shelfDecided,
  shelfEvent,
  T0,
} from '../src/ops/test-fixtures.ts';
import { loadStoreFile } from '../src/store/load-store.ts';

const store = opsStore();

function feed(inventory: Inventory, events: EngineEvent[]): Inventory {
  for (const e of events) inventory.apply(e);
  return inventory;
}

const units = (inv: Inventory, plate: string, sku: string) => inv.stock()[plate]?.[sku];

test('starts full and counts a charged pick and a put-back', () => {
  const inv = new Inventory(store);
  assert.equal(units(inv, 'p-cola', 'COLA'), 10);
  const pick = shelfEvent('p-cola', 740, [{ sku: 'COLA', qty: 2 }], T0 + 1000);
  const back = shelfEvent('p-cola', -370, [{ sku: 'COLA', qty: -1 }], T0 + 5000);
  feed(inv, [
    sessionOpened('s1', T0),
    pick,
    cartLine(pick, 's1', { sku: 'COLA', qty: 2 }),
    back,
    cartLine(back, 's1', { sku: 'COLA', qty: -1 }),
  ]);
  assert.equal(units(inv, 'p-cola', 'COLA'), 9);
  const kinds = inv.recentMovements().map((m) => m.kind);
  assert.deepEqual(kinds, ['return', 'pick']);
  const plate = inv.plate('p-cola')!;
  assert.ok(Math.abs(plate.eventResidualGrams) < 1e-9, 'units and grams agree');
  assert.ok(plate.stock[0]!.sd > 0, 'decisions below full confidence leave some uncertainty');
});

test('the decided items come from the cart lines, not the weight stage’s first guess', () => {
  const inv = new Inventory(store);
  // The weight stage guessed chips; fusion charged a soap bar put back from the cart onto the chips plate.
  const put = shelfEvent('p-chips', -125, [{ sku: 'CHIPS', qty: -2 }], T0 + 2000);
  feed(inv, [sessionOpened('s1', T0), put, cartLine(put, 's1', { sku: 'SOAP', qty: -1 })]);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 20);
  assert.equal(units(inv, 'p-chips', 'SOAP'), 1, 'a misplaced unit is on the plate');
  const plate = inv.plate('p-chips')!;
  const soap = plate.stock.find((s) => s.sku === 'SOAP')!;
  assert.equal(soap.misplaced, true);
  assert.equal(soap.capacity, 0);
  assert.equal(inv.recentMovements()[0]!.kind, 'misplaced-return');
  // A later shopper picks the misplaced soap from the chips plate.
  const pick = shelfEvent('p-chips', 125, [{ sku: 'SOAP', qty: 1 }], T0 + 9000);
  feed(inv, [pick, cartLine(pick, 's1', { sku: 'SOAP', qty: 1 })]);
  assert.equal(units(inv, 'p-chips', 'SOAP'), 0);
  assert.equal(inv.recentMovements()[0]!.kind, 'misplaced-pick');
});

test('a staff session restocks without charging anyone; the same put with no staff inside is unattributed', () => {
  const inv = new Inventory(store, { initial: { 'p-cola': { COLA: 2 } } });
  const restock = shelfEvent('p-cola', -2960, [{ sku: 'COLA', qty: -8 }], T0 + 3000);
  feed(inv, [sessionOpened('staff', T0, true), restock]);
  assert.equal(units(inv, 'p-cola', 'COLA'), 10);
  assert.equal(inv.recentMovements()[0]!.kind, 'restock');
  const pick = shelfEvent('p-cola', 370, [{ sku: 'COLA', qty: 1 }], T0 + 4000);
  feed(inv, [pick, sessionClosed('staff', T0 + 5000)]);
  assert.equal(inv.recentMovements()[0]!.kind, 'staff-pick');
  const put = shelfEvent('p-cola', -370, [{ sku: 'COLA', qty: -1 }], T0 + 6000);
  feed(inv, [put]);
  assert.equal(inv.recentMovements()[0]!.kind, 'unattributed-put');
  assert.equal(units(inv, 'p-cola', 'COLA'), 10);
});

test('a decision that charges nobody moves the items it decided, not the weight stage’s first guess', () => {
  const inv = new Inventory(store, { initial: { 'p-chips': { CHIPS: 10 } } });
  // Staff tidying put back a soap bar (the weight stage guessed two chips bags): nobody is charged.
  const put = shelfEvent('p-chips', -125, [{ sku: 'CHIPS', qty: -2 }], T0 + 2000);
  feed(inv, [sessionOpened('staff', T0, true), put, shelfDecided(put, null, [{ sku: 'SOAP', qty: -1 }], 0.95)]);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 10);
  assert.equal(units(inv, 'p-chips', 'SOAP'), 1);
  const [m] = inv.recentMovements();
  assert.deepEqual([m?.kind, m?.sessionId, m?.confidence], ['restock', null, 0.95]);
});

test('weight gone with nobody to charge and no staff inside is shrink', () => {
  const inv = new Inventory(store);
  const gone = shelfEvent('p-chips', 120, [{ sku: 'CHIPS', qty: 2 }], T0 + 1000);
  feed(inv, [gone, sessionOpened('later', T0 + 2000)]);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 18);
  const [m] = inv.recentMovements({ kind: 'shrink' });
  assert.equal(m?.shelfEventId, gone.type === 'shelf.event' ? gone.data.id : '');
});

test('a review case moves stock by its top alternative, then by the reviewer’s choice', () => {
  const inv = new Inventory(store);
  const event = shelfEvent('p-mixed', 250, [{ sku: 'SOAP', qty: 2 }], T0 + 1000);
  const opened = reviewOpened(event, [
    { sessionId: 's1', items: [{ sku: 'SOAP', qty: 2 }], probability: 0.6 },
    { sessionId: 's2', items: [{ sku: 'SOAP', qty: 2 }], probability: 0.3 },
    { sessionId: null, items: [{ sku: 'GUM', qty: 8 }], probability: 0.1 },
  ]);
  feed(inv, [sessionOpened('s1', T0), sessionOpened('s2', T0), event, opened]);
  assert.equal(units(inv, 'p-mixed', 'SOAP'), 6);
  const open = inv.plate('p-mixed')!;
  assert.equal(open.inReview, 1);
  assert.ok(open.stock.find((s) => s.sku === 'SOAP')!.sd > 0.5, 'the alternatives disagree on soap');
  assert.equal(inv.recentMovements()[0]!.state, 'in-review');
  const caseId = opened.type === 'review.opened' ? opened.data.caseId : '';
  feed(inv, [
    reviewResolved(caseId, { sessionId: 's2', items: [{ sku: 'SOAP', qty: 1 }], probability: 1 }, T0 + 60_000),
  ]);
  assert.equal(units(inv, 'p-mixed', 'SOAP'), 7);
  const after = inv.plate('p-mixed')!;
  assert.equal(after.inReview, 0);
  assert.equal(after.stock.find((s) => s.sku === 'SOAP')!.sd, 0);
  const m = inv.recentMovements()[0]!;
  assert.equal(m.state, 'reviewed');
  assert.equal(m.sessionId, 's2');
});

test('a put-back in review holds what other answers put back too; a unit picked meanwhile does not come back', () => {
  const inv = new Inventory(store);
  // 330 g back onto the chips plate: a bag of chips (top answer) or a cola someone left there.
  const back = shelfEvent('p-chips', -330, [{ sku: 'CHIPS', qty: -1 }], T0 + 1000);
  const opened = reviewOpened(back, [
    { sessionId: 's1', items: [{ sku: 'CHIPS', qty: -1 }], probability: 0.55 },
    { sessionId: 's1', items: [{ sku: 'COLA', qty: -1 }], probability: 0.45 },
  ]);
  if (opened.type === 'review.opened') opened.data.maybeOnPlate = [{ sku: 'COLA', qty: -1 }];
  const colaTaken = shelfEvent('p-chips', 330, [{ sku: 'COLA', qty: 1 }], T0 + 20_000);
  feed(inv, [sessionOpened('s1', T0), sessionOpened('s2', T0), back, opened]);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 21);
  assert.equal(units(inv, 'p-chips', 'COLA'), 1);
  feed(inv, [colaTaken, cartLine(colaTaken, 's2', { sku: 'COLA', qty: 1 })]);
  assert.equal(units(inv, 'p-chips', 'COLA'), 0);
  // The reviewer says cola: it came back and left again; no chips came back.
  const caseId = opened.type === 'review.opened' ? opened.data.caseId : '';
  feed(inv, [
    reviewResolved(caseId, { sessionId: 's1', items: [{ sku: 'COLA', qty: -1 }], probability: 1 }, T0 + 60_000),
  ]);
  assert.equal(units(inv, 'p-chips', 'COLA'), 0);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 20);
});

test('a merged take in review moves every shopper’s share, as the engine does', () => {
  const inv = new Inventory(store);
  const event = shelfEvent('p-mixed', 250, [{ sku: 'SOAP', qty: 2 }], T0 + 1000);
  const merged = {
    sessionId: 's1',
    items: [{ sku: 'SOAP', qty: 1 }],
    with: [{ sessionId: 's2', items: [{ sku: 'SOAP', qty: 1 }] }],
  };
  const opened = reviewOpened(event, [
    { ...merged, probability: 0.6 },
    { sessionId: 's1', items: [{ sku: 'SOAP', qty: 2 }], probability: 0.4 },
  ]);
  feed(inv, [sessionOpened('s1', T0), sessionOpened('s2', T0), event, opened]);
  assert.equal(units(inv, 'p-mixed', 'SOAP'), 6);
  const caseId = opened.type === 'review.opened' ? opened.data.caseId : '';
  feed(inv, [reviewResolved(caseId, { ...merged, probability: 1 }, T0 + 60_000)]);
  assert.equal(units(inv, 'p-mixed', 'SOAP'), 6);
});

test('never counts below zero, as the engine does', () => {
  const inv = new Inventory(store, { initial: { 'p-cola': { COLA: 1 } } });
  const pick = shelfEvent('p-cola', 740, [{ sku: 'COLA', qty: 2 }], T0 + 1000);
  feed(inv, [sessionOpened('s1', T0), pick, cartLine(pick, 's1', { sku: 'COLA', qty: 2 })]);
  assert.equal(units(inv, 'p-cola', 'COLA'), 0);
});

test('a cola resting across two plates: its units come off the first, and neither plate reads wrong', () => {
  const inv = new Inventory(store);
  const tare = { 'p-cola': 512, 'p-chips': 430 };
  inv.reconcile('p-cola', tare['p-cola'] + 3700, T0);
  inv.reconcile('p-chips', tare['p-chips'] + 1200, T0);
  // 290 g of the cola came off its own plate, 80 g off the chips plate it leaned on.
  const pick = shelfEvent('p-cola', 370, [{ sku: 'COLA', qty: 1 }], T0 + 1000, {
    plateIds: ['p-cola', 'p-chips'],
    gramsByPlate: { 'p-cola': 290, 'p-chips': 80 },
  });
  feed(inv, [sessionOpened('s1', T0), pick, cartLine(pick, 's1', { sku: 'COLA', qty: 1 }, 0.99)]);
  assert.equal(units(inv, 'p-cola', 'COLA'), 9);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 20);
  for (const id of ['p-cola', 'p-chips'] as const)
    assert.ok(Math.abs(inv.plate(id)!.eventResidualGrams) < 1e-9, `${id}: units and event grams agree`);
  const cola = inv.reconcile('p-cola', tare['p-cola'] + 3700 - 290, T0 + 60_000);
  const chips = inv.reconcile('p-chips', tare['p-chips'] + 1200 - 80, T0 + 60_000);
  assert.deepEqual([cola.driftGrams, chips.driftGrams], [0, 0]);
});

test('reconciliation: the first reading anchors the tare, later ones measure drift and confirm counts', () => {
  const inv = new Inventory(store);
  const tare = 512;
  assert.deepEqual(inv.reconcile('p-cola', tare + 3700, T0), { driftGrams: 0, confirmed: false });
  const pick = shelfEvent('p-cola', 370, [{ sku: 'COLA', qty: 1 }], T0 + 1000);
  feed(inv, [sessionOpened('s1', T0), pick, cartLine(pick, 's1', { sku: 'COLA', qty: 1 }, 0.8)]);
  assert.ok(inv.plate('p-cola')!.stock[0]!.sd > 0);
  const ok = inv.reconcile('p-cola', tare + 3330 + 2, T0 + 60_000);
  assert.equal(ok.confirmed, true);
  assert.ok(Math.abs(ok.driftGrams! - 2) < 1e-9);
  assert.equal(inv.plate('p-cola')!.stock[0]!.sd, 0, 'a matching weight clears the uncertainty');
  const drifted = inv.reconcile('p-cola', tare + 3330 + 40, T0 + 120_000);
  assert.equal(drifted.confirmed, false);
  assert.ok(Math.abs(drifted.driftGrams! - 40) < 1e-9);
  assert.equal(inv.plate('p-cola')!.driftGrams, drifted.driftGrams);
});

test('a reading taken after a weight change whose decision came later is forgotten, drift and anchor alike', () => {
  const inv = new Inventory(store);
  const tare = 512;
  inv.reconcile('p-cola', tare + 3700, T0);
  // A cola leaves at T0 + 4 s; the plate is read at T0 + 6 s, before the decision is logged (a race waits, [F18]).
  assert.equal(inv.reconcile('p-cola', tare + 3330, T0 + 6_000).driftGrams, -370);
  const pick = shelfEvent('p-cola', 370, [{ sku: 'COLA', qty: 1 }], T0 + 7_000, { tChange: T0 + 4_000 });
  feed(inv, [sessionOpened('s1', T0), pick, shelfDecided(pick, 's1', [{ sku: 'COLA', qty: 1 }])]);
  assert.equal(inv.plate('p-cola')!.driftGrams, null, 'no weight mismatch left standing');
  assert.equal(inv.reconcile('p-cola', tare + 3330, T0 + 60_000).driftGrams, 0);
  // The same reading as a plate's first after a start would have anchored its tare one cola light: dropped too.
  const fresh = new Inventory(store);
  fresh.reconcile('p-cola', tare + 3330, T0 + 6_000);
  feed(fresh, [sessionOpened('s1', T0), pick, shelfDecided(pick, 's1', [{ sku: 'COLA', qty: 1 }])]);
  assert.equal(fresh.reconcile('p-cola', tare + 3330, T0 + 60_000).driftGrams, 0, 're-anchored');
  assert.equal(fresh.reconcile('p-cola', tare + 3330 - 370, T0 + 120_000).driftGrams, -370);
});

test('a reading taken while a case is open stays the anchor once the reviewer answers differently', () => {
  const inv = new Inventory(store);
  const tare = 300;
  const full = 8 * 125 + 12 * 30;
  // 250 g gone: two soaps (top answer) or, as the reviewer will say, eight gums (240 g).
  const pick = shelfEvent('p-mixed', 250, [{ sku: 'SOAP', qty: 2 }], T0 + 1000);
  const opened = reviewOpened(pick, [
    { sessionId: 's1', items: [{ sku: 'SOAP', qty: 2 }], probability: 0.6 },
    { sessionId: 's1', items: [{ sku: 'GUM', qty: 8 }], probability: 0.4 },
  ]);
  feed(inv, [sessionOpened('s1', T0), pick, opened]);
  const measured = tare + full - 240;
  assert.deepEqual(inv.reconcile('p-mixed', measured, T0 + 5000), { driftGrams: 0, confirmed: false });
  const caseId = opened.type === 'review.opened' ? opened.data.caseId : '';
  feed(inv, [
    reviewResolved(caseId, { sessionId: 's1', items: [{ sku: 'GUM', qty: 8 }], probability: 1 }, T0 + 60_000),
  ]);
  assert.equal(units(inv, 'p-mixed', 'GUM'), 4);
  const later = inv.reconcile('p-mixed', measured, T0 + 120_000);
  assert.ok(Math.abs(later.driftGrams!) < 1e-9, `no drift from the answer itself, got ${later.driftGrams}`);
  assert.equal(later.confirmed, true);
});

test('a recount while a case is open holds: the answer moves only what staff did not count', () => {
  const inv = new Inventory(store);
  const tare = 300;
  const pick = shelfEvent('p-mixed', 250, [{ sku: 'SOAP', qty: 2 }], T0 + 1000);
  const opened = reviewOpened(pick, [
    { sessionId: 's1', items: [{ sku: 'SOAP', qty: 2 }], probability: 0.6 },
    { sessionId: 's1', items: [{ sku: 'GUM', qty: 8 }], probability: 0.4 },
  ]);
  feed(inv, [sessionOpened('s1', T0), pick, opened]);
  // Eight gums went: staff count the soaps (all 8 there) but not the gums; then a reading anchors.
  assert.equal(inv.recount('p-mixed', { SOAP: 8 }, T0 + 2000), true);
  const measured = tare + 8 * 125 + 4 * 30;
  inv.reconcile('p-mixed', measured, T0 + 5000);
  const caseId = opened.type === 'review.opened' ? opened.data.caseId : '';
  feed(inv, [
    reviewResolved(caseId, { sessionId: 's1', items: [{ sku: 'GUM', qty: 8 }], probability: 1 }, T0 + 60_000),
  ]);
  assert.deepEqual([units(inv, 'p-mixed', 'SOAP'), units(inv, 'p-mixed', 'GUM')], [8, 4]);
  const later = inv.reconcile('p-mixed', measured, T0 + 120_000);
  assert.ok(Math.abs(later.driftGrams!) < 1e-9, `got ${later.driftGrams}`);
  // The events' own grams (250 g, against the 240 g the answer explains) stay within the plate's tolerance too.
  const plate = inv.plate('p-mixed')!;
  assert.ok(Math.abs(plate.eventResidualGrams) <= plate.toleranceGrams, `residual ${plate.eventResidualGrams}`);
});

test('a recount sets units and restarts the weight checks', () => {
  const inv = new Inventory(store);
  inv.reconcile('p-chips', 900, T0);
  assert.equal(inv.recount('p-chips', { CHIPS: 7 }, T0 + 1000), true);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 7);
  assert.equal(inv.plate('p-chips')!.driftGrams, null);
  assert.equal(inv.recentMovements()[0]!.kind, 'recount');
  assert.deepEqual(inv.recentMovements()[0]!.items, [{ sku: 'CHIPS', qty: 13 }]);
  assert.equal(inv.recount('nope', { CHIPS: 1 }, T0), false);
});

test('names the product whose weight explains a difference', () => {
  assert.deepEqual(likelySkuForGrams(store, 372)?.sku, 'COLA');
  assert.deepEqual({ ...likelySkuForGrams(store, 121)!, z: 0 }, { sku: 'CHIPS', qty: 2, z: 0 });
  assert.equal(likelySkuForGrams(store, 250, { exclude: ['SOAP'] })?.sku, 'CHIPS');
});

const SIM = new URL('../src/sim/simulate.ts', import.meta.url).pathname;
const KIOSK = new URL('../examples/kiosk.yaml', import.meta.url).pathname;

test('on a simulated kiosk run the projection ends where the engine’s plate stock does', {
  skip: existsSync(SIM) ? false : 'the simulator (src/sim/simulate.ts) is not there',
}, async () => {
  const { runSimulation } = await import('../src/sim/simulate.ts');
  const loaded = loadStoreFile(KIOSK);
  assert.ok(loaded.ok);
  const kiosk = loaded.value;
  const inv = new Inventory(kiosk);
  let shelfEvents = 0;
  const engine = createEngine({
    store: kiosk,
    authorizer: createDemoAuthorizer(),
    sink: (e) => {
      if (e.type === 'shelf.event') shelfEvents += 1;
      inv.apply(e);
    },
  });
  runSimulation(kiosk, { shoppers: 3, minutes: 4, seed: 5, difficulty: 'hard' }, (m) =>
    engine.ingest(m.topic, m.payload),
  );
  engine.finish();
  assert.ok(shelfEvents > 0, 'the run has shelf events');
  assert.deepEqual(inv.stock(), engine.snapshot().stock);
});

test("a logged staff count (the engine's stock.counted) is a recount", () => {
  const inv = new Inventory(store);
  const counted: EngineEvent = {
    type: 'stock.counted',
    t: T0 + 1000,
    data: { plateId: 'p-chips', counts: { CHIPS: 5 }, staff: 'Ada', handheldId: 'console' },
  };
  feed(inv, [counted]);
  assert.equal(units(inv, 'p-chips', 'CHIPS'), 5);
  assert.deepEqual(
    [inv.recentMovements()[0]!.kind, inv.recentMovements()[0]!.items],
    ['recount', [{ sku: 'CHIPS', qty: 15 }]],
  );
});
