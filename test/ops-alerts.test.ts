/**
 * Each alert rule on the hand-made ops store (low stock, misplaced item named from its weight, weight mismatch,
 * silent and drifting sensors, offline camera, shrink, tailgating), the alert state machine, and the MQTT payloads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertMessages, alertTopic } from '../src/ops/alert-mqtt.ts';
import {
  ALERT_TRANSITIONS,
  AlertBook,
  type AlertCondition,
  allConditions,
  DEFAULT_ALERT_RULES,
  deviceConditions,
  shrinkConditions,
  stockConditions,
  weightConditions,
} from '../src/ops/alerts.ts';
import { OpsBoard } from '../src/ops/board.ts';
import { Inventory } from '../src/ops/inventory.ts';
import {
  cartLine,
  opsStore,
  reviewOpened,
  reviewResolved,
  sessionOpened,
  shelfEvent,
  T0,
} from '../src/ops/test-fixtures.ts';

const store = opsStore();
const NO_DEVICES = { silentPlates: [], offlineCameras: [] };

test('low stock at the default 20 % of capacity, critical when out, per-SKU thresholds override', () => {
  const inv = new Inventory(store, {
    initial: { 'p-cola': { COLA: 2 }, 'p-chips': { CHIPS: 5 }, 'p-mixed': { SOAP: 0, GUM: 12 } },
  });
  const found = stockConditions(inv.allPlates(), DEFAULT_ALERT_RULES);
  const keys = found.map((c) => `${c.key}/${c.severity}`).sort();
  // cola 2 ≤ floor(0.2·10); chips 5 > floor(0.2·20) = 4; soap out.
  assert.deepEqual(keys, ['low-stock:p-cola:COLA/warning', 'low-stock:p-mixed:SOAP/critical']);
  const stricter = stockConditions(inv.allPlates(), { ...DEFAULT_ALERT_RULES, lowStockUnits: { CHIPS: 6 } });
  assert.ok(stricter.some((c) => c.key === 'low-stock:p-chips:CHIPS'));
});

test('a misplaced item the engine decided is named; unrecognised extra weight is named from its grams', () => {
  const inv = new Inventory(store);
  const put = shelfEvent('p-chips', -125, [{ sku: 'CHIPS', qty: -2 }], T0 + 1000);
  for (const e of [sessionOpened('s1', T0), put, cartLine(put, 's1', { sku: 'SOAP', qty: -1 })]) inv.apply(e);
  const decided = stockConditions(inv.allPlates(), DEFAULT_ALERT_RULES).find((c) => c.kind === 'misplaced');
  assert.equal(decided?.subject.sku, 'SOAP');
  assert.equal(decided?.subject.plateId, 'p-chips');

  // 370 g arrived on the chips plate and the engine decided "nothing moved": a cola sits there.
  const inv2 = new Inventory(store);
  inv2.apply(shelfEvent('p-chips', -371, [], T0 + 2000, { hypotheses: [] }));
  inv2.settle();
  const [c] = weightConditions(store, inv2.allPlates(), DEFAULT_ALERT_RULES);
  assert.equal(c?.kind, 'misplaced');
  assert.equal(c?.subject.sku, 'COLA');
  assert.equal(c?.detail.source, 'events');
});

test('a plate lighter by whole units of its own SKU is a weight mismatch; an unexplained drift is the sensor', () => {
  const inv = new Inventory(store);
  inv.reconcile('p-cola', 4200, T0);
  inv.reconcile('p-cola', 4200 - 740, T0 + 60_000);
  const [missing] = weightConditions(store, inv.allPlates(), DEFAULT_ALERT_RULES);
  assert.equal(missing?.kind, 'weight-mismatch');
  assert.equal(missing?.subject.sku, 'COLA');
  assert.equal(missing?.detail.units, 2);

  const inv2 = new Inventory(store);
  inv2.reconcile('p-chips', 1700, T0);
  inv2.reconcile('p-chips', 1700 + 48, T0 + 60_000); // matches no product (chips 60 g, gum 30 g: z too large)
  const [drift] = weightConditions(store, inv2.allPlates(), DEFAULT_ALERT_RULES);
  assert.equal(drift?.kind, 'sensor-drift');
  assert.equal(drift?.subject.deviceId, 'p-chips');
  inv2.reconcile('p-chips', 1700 + 3, T0 + 120_000);
  assert.equal(weightConditions(store, inv2.allPlates(), DEFAULT_ALERT_RULES).length, 0, 'back within tolerance');

  // Weight gone is read against the plate's own products: 250 g off the cola plate is 2 × soap elsewhere, not here.
  const inv3 = new Inventory(store);
  inv3.reconcile('p-cola', 4200, T0);
  inv3.reconcile('p-cola', 4200 - 250, T0 + 60_000);
  const [lighter] = weightConditions(store, inv3.allPlates(), DEFAULT_ALERT_RULES);
  assert.equal(lighter?.kind, 'sensor-drift', 'no "2 × SOAP missing" on a cola plate');
});

test('silent plates and offline cameras come from device health', () => {
  const found = deviceConditions(store, { silentPlates: ['p-cola'], offlineCameras: ['front-left'] });
  assert.deepEqual(
    found.map((c) => [c.kind, c.subject.deviceId, c.severity]),
    [
      ['sensor-silent', 'p-cola', 'critical'],
      ['camera-offline', 'front-left', 'warning'],
    ],
  );
});

test('shrink: one sticky alert per pick committed to nobody', () => {
  const inv = new Inventory(store);
  inv.apply(shelfEvent('p-chips', 60, [{ sku: 'CHIPS', qty: 1 }], T0 + 1000));
  inv.apply(shelfEvent('p-chips', 60, [{ sku: 'CHIPS', qty: 1 }], T0 + 5000));
  const found = shrinkConditions(inv);
  assert.equal(found.length, 2);
  assert.ok(found.every((c) => c.kind === 'shrink' && c.sticky === true && c.subject.sku === 'CHIPS'));
});

test("shrink: none while the case is in review; the reviewer's answer decides", () => {
  for (const [answer, alerts] of [
    ['s1', 0],
    [null, 1],
  ] as const) {
    const board = new OpsBoard(store);
    const pick = shelfEvent('p-chips', 60, [{ sku: 'CHIPS', qty: 1 }], T0 + 1000);
    board.apply(sessionOpened('s1', T0));
    board.apply(pick);
    board.apply(reviewOpened(pick, [{ sessionId: null, items: [{ sku: 'CHIPS', qty: 1 }], probability: 0.5 }]));
    const shrink = () => board.alerts.list(['open']).filter((a) => a.kind === 'shrink');
    board.evaluate(NO_DEVICES, T0 + 2000);
    assert.deepEqual(shrink(), [], 'a case in review may yet charge someone');
    const caseId = pick.type === 'shelf.event' ? `R-${pick.data.id}` : '';
    const choice = { sessionId: answer, items: [{ sku: 'CHIPS', qty: 1 }], probability: 1 };
    board.apply(reviewResolved(caseId, choice, T0 + 9000));
    board.evaluate(NO_DEVICES, T0 + 9000);
    assert.equal(shrink().length, alerts, `answered ${answer}`);
  }
});

test('tailgating: one sticky alert per person who came in without an admission, saying what it costs', () => {
  const board = new OpsBoard(store);
  board.apply(sessionOpened('s1', T0));
  board.apply({ type: 'shopper.unbound', t: T0 + 1500, data: { trackId: null, gateId: 'door' } });
  board.apply({ type: 'shopper.unbound', t: T0 + 1500, data: { trackId: null, gateId: 'door' } });
  board.apply({ type: 'shopper.unbound', t: T0 + 9000, data: { trackId: 'T7', gateId: 'door' } });
  board.evaluate(NO_DEVICES, T0 + 10_000);
  const open = board.alerts
    .list(['open'])
    .filter((a) => a.kind === 'tailgating')
    .sort((a, b) => a.key.localeCompare(b.key));
  assert.deepEqual(
    open.map((a) => [a.key, a.severity, a.subject.deviceId, a.sticky]),
    [
      [`tailgating:door:${T0 + 1500}:1`, 'warning', 'door', true],
      [`tailgating:door:${T0 + 1500}:2`, 'warning', 'door', true],
      [`tailgating:door:${T0 + 9000}:3`, 'warning', 'door', true],
    ],
    'two people through one beam at one instant are two alerts',
  );
  assert.match(open[0]!.message, /without scanning; with no cameras, an exit may now close a shopper's visit early/);
  assert.match(open[2]!.message, /track T7\): nobody is charged for what they take/);
});

test('tailgating: an alert stays open after its entry leaves the kept list, until staff close it', () => {
  const board = new OpsBoard(store);
  board.apply({ type: 'shopper.unbound', t: T0, data: { trackId: 'T1', gateId: 'door' } });
  board.evaluate(NO_DEVICES, T0);
  const first = `tailgating:door:${T0}:1`;
  for (let i = 1; i <= 250; i++) {
    board.apply({ type: 'shopper.unbound', t: T0 + i * 1000, data: { trackId: `T${i + 1}`, gateId: 'door' } });
  }
  board.evaluate(NO_DEVICES, T0 + 300_000);
  const open = board.alerts.list(['open']).filter((a) => a.kind === 'tailgating');
  assert.ok(
    open.some((a) => a.key === first),
    'the first person is no longer kept, but their alert is sticky',
  );
  assert.equal(open.length, 201, 'the first plus the latest 200 kept');
});

const condition = (key: string, severity: AlertCondition['severity'] = 'warning'): AlertCondition => ({
  key,
  kind: 'low-stock',
  severity,
  subject: { plateId: 'p-cola', sku: 'COLA' },
  message: `m ${severity}`,
  detail: {},
});

test('alert state machine: open → acknowledged → done; done is final; ids are stable', () => {
  assert.deepEqual(ALERT_TRANSITIONS.done, []);
  const book = new AlertBook();
  const [a] = book.sync([condition('low-stock:p-cola:COLA')], T0);
  assert.equal(a?.id, 'low-stock:p-cola:COLA:1');
  assert.equal(a?.state, 'open');
  assert.equal(book.acknowledge(a!.id, 'ana', T0 + 1).ok, true);
  assert.equal(book.get(a!.id)?.state, 'acknowledged');
  const again = book.acknowledge(a!.id, 'ana', T0 + 2);
  assert.equal(again.ok ? 'ok' : again.code, 'BAD_TRANSITION');
  assert.equal(book.done(a!.id, 'ana', T0 + 3).ok, true);
  assert.deepEqual(book.get(a!.id)?.done, { by: 'ana', t: T0 + 3, auto: false });
  const missing = book.done('nope', 'ana', T0);
  assert.equal(missing.ok ? 'ok' : missing.code, 'NO_SUCH_ALERT');
});

test('alert book: updates in place, closes by itself when the condition clears, reopens as a new alert', () => {
  const book = new AlertBook();
  const key = 'low-stock:p-cola:COLA';
  const [a] = book.sync([condition(key)], T0);
  assert.deepEqual(book.sync([condition(key)], T0 + 1), [], 'nothing changed');
  const [updated] = book.sync([condition(key, 'critical')], T0 + 2);
  assert.equal(updated?.id, a?.id);
  assert.equal(updated?.severity, 'critical');
  const [closed] = book.sync([], T0 + 3);
  assert.equal(closed?.state, 'done');
  assert.equal(closed?.done?.auto, true);
  const [reopened] = book.sync([condition(key)], T0 + 4);
  assert.equal(reopened?.id, `${key}:2`);
  // Marked done by staff while the condition lasts: it stays done, not reopened on the next sync.
  book.done(reopened!.id, 'ana', T0 + 5);
  assert.deepEqual(book.sync([condition(key)], T0 + 6), []);
  assert.equal(book.list(['open', 'acknowledged']).length, 0);
});

test('the board runs every rule together and publishes changes once', () => {
  const board = new OpsBoard(store);
  board.apply(sessionOpened('s1', T0));
  const pick = shelfEvent('p-cola', 9 * 370, [{ sku: 'COLA', qty: 9 }], T0 + 1000);
  board.apply(pick);
  board.apply(cartLine(pick, 's1', { sku: 'COLA', qty: 9 }));
  const opened = board.evaluate({ silentPlates: ['p-mixed'], offlineCameras: [] });
  assert.deepEqual(opened.map((a) => a.kind).sort(), ['low-stock', 'sensor-silent']);
  assert.deepEqual(
    board.evaluate(NO_DEVICES).map((a) => `${a.kind}:${a.state}`),
    ['sensor-silent:done'],
  );
  assert.equal(allConditions(store, board.inventory, NO_DEVICES).length, 1);
});

test('MQTT: one retained message per live alert; done is sent once and the retained copy cleared', () => {
  const book = new AlertBook();
  const [a] = book.sync([condition('low-stock:p-cola:COLA')], T0);
  const open = alertMessages('ops-shop', a!);
  assert.equal(open.length, 1);
  assert.equal(open[0]!.topic, 'walkout/ops-shop/alerts/low-stock:p-cola:COLA:1');
  assert.equal(open[0]!.topic, alertTopic('ops-shop', a!.id));
  assert.equal(open[0]!.retain, true);
  const payload = JSON.parse(open[0]!.payload);
  assert.equal(payload.v, 1);
  assert.equal(payload.state, 'open');
  assert.equal(payload.subject.sku, 'COLA');
  book.done(a!.id, 'ana', T0 + 10);
  const done = alertMessages('ops-shop', a!);
  assert.deepEqual(
    done.map((m) => [m.retain, m.payload === '' ? '' : JSON.parse(m.payload).state]),
    [
      [false, 'done'],
      [true, ''],
    ],
  );
});
