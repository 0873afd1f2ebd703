import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusionConfig } from '../fusion/config.ts';
import { createDemoAuthorizer, demoEntryCode, sessionIdFor } from '../identity/demo-authorizer.ts';
import { topicFor } from '../protocol/topics.ts';
import { kioskStore } from '../sim/examples/stores.ts';
import { parseStore } from '../store/load-store.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import { kioskReviewScene } from '../web/test-scenario.ts';
import { byException, type PlateScript } from '../weight/synthetic.ts';
import { testStore } from '../weight/test-store.ts';
import { createEngine } from './engine.ts';
import type { EngineEvent } from './events.ts';

const T0 = 1_767_600_000_000;

/** A one-shopper kiosk visit: scan, walk in, one bottle leaves the plate, walk out. */
function visit(): { topic: string; payload: unknown }[] {
  const plate = byException(
    {
      plateId: 'g1.s1.p1',
      base: 5_600,
      changes: [{ t: 10_000, grams: 520, rampMs: 400 }],
      presses: [{ t0: 9_600, t1: 10_900, grams: 300 }],
    },
    T0,
    30_000,
    7,
  );
  const messages = [
    {
      ts: T0 + 1_000,
      topic: topicFor('shop', 'gate.scan', 'door'),
      payload: { v: 1, ts: T0 + 1_000, code: demoEntryCode('ann', 1) },
    },
    {
      ts: T0 + 2_000,
      topic: topicFor('shop', 'gate.pass', 'door'),
      payload: { v: 1, ts: T0 + 2_000, direction: 'in' },
    },
    {
      ts: T0 + 20_000,
      topic: topicFor('shop', 'gate.pass', 'door'),
      payload: { v: 1, ts: T0 + 20_000, direction: 'out' },
    },
    ...plate.map((m) => ({
      ts: m.ts,
      topic: topicFor('shop', 'plate.weight', m.plateId),
      payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
    })),
  ];
  return messages.sort((a, b) => a.ts - b.ts).map(({ topic, payload }) => ({ topic, payload }));
}

function run(messages: { topic: string; payload: unknown }[]) {
  const def = { ...tinyStoreDef(), mode: 'single-shopper' as const };
  const store = parseStore(def);
  assert.ok(store.ok, store.ok ? '' : store.reason);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of messages) engine.ingest(m.topic, m.payload);
  engine.finish();
  return { engine, events };
}

test('a one-shopper visit ends in a final receipt with what left the shelf', () => {
  const { events } = run(visit());
  const receipts = events.filter((e) => e.type === 'receipt.final');
  assert.equal(receipts.length, 1);
  const receipt = receipts[0]!;
  assert.ok(receipt.type === 'receipt.final');
  assert.equal(receipt.data.visit, sessionIdFor('door', T0 + 1_000));
  assert.deepEqual(
    receipt.data.lines.map((l) => [l.sku, l.qty]),
    [['WATER', 1]],
  );
  assert.equal(receipt.data.total, 199);
});

test('bad messages are rejected and counted while the rest still flow', () => {
  const messages = visit();
  const bad = [
    { topic: topicFor('shop', 'plate.weight', 'ghost'), payload: { v: 1, ts: T0 + 5_000, hz: 60, grams: [1] } },
    { topic: topicFor('shop', 'plate.weight', 'g1.s1.p1'), payload: '{not json' },
    { topic: 'walkout/shop/plates', payload: {} },
    { topic: topicFor('shop', 'plate.weight', 'g1.s1.p1'), payload: { v: 1, ts: T0 + 5_000, hz: 60, grams: [9e9] } },
  ];
  messages.splice(100, 0, ...bad);
  const { engine, events } = run(messages);
  assert.deepEqual(engine.stats().rejected, { UNKNOWN_DEVICE: 1, BAD_JSON: 1, BAD_TOPIC: 1, IMPOSSIBLE_VALUE: 1 });
  assert.equal(events.filter((e) => e.type === 'message.rejected').length, 4);
  assert.equal(events.filter((e) => e.type === 'receipt.final').length, 1);
});

test("a staff count sets a plate's stock at the engine's event time, is logged, and later picks count from it", () => {
  const messages = visit();
  const count = {
    topic: topicFor('shop', 'stock.count', 'console'),
    payload: { v: 1, ts: T0 + 3_000, plateId: 'g1.s1.p1', counts: { WATER: 4 }, staff: 'Ada' },
  };
  const afterEntry = messages.findIndex((m) => (m.payload as { direction?: string }).direction === 'in');
  messages.splice(afterEntry + 1, 0, count);
  const { engine, events } = run(messages);
  const counted = events.filter((e) => e.type === 'stock.counted');
  assert.deepEqual(
    counted.map((e) => e.data),
    [{ plateId: 'g1.s1.p1', counts: { WATER: 4 }, staff: 'Ada', handheldId: 'console' }],
  );
  // The store's event time then (the scan; the pass still held for late messages), not the handheld's stamp.
  assert.equal(counted[0]?.t, T0 + 1_000);
  assert.equal(engine.snapshot().stock['g1.s1.p1']?.WATER, 3, 'four counted, then one taken');
  assert.equal(events.filter((e) => e.type === 'receipt.final').length, 1);
});

test('a staff count of a plate still settling a change is refused with a reason, and changes nothing', () => {
  const messages = visit();
  const count = {
    topic: topicFor('shop', 'stock.count', 'console'),
    payload: { v: 1, ts: T0 + 10_600, plateId: 'g1.s1.p1', counts: { WATER: 9 }, staff: 'Ada' },
  };
  // Among the plate's readings just after a bottle left it (10 s) while a hand still presses it (to 10.9 s).
  const during = messages.findIndex((m) => (m.payload as { ts: number }).ts >= T0 + 10_600);
  messages.splice(during, 0, count);
  const { engine, events } = run(messages);
  const refused = events.find((e) => e.type === 'message.rejected');
  assert.equal(refused?.type === 'message.rejected' && refused.data.code, 'PLATE_BUSY');
  assert.ok(!events.some((e) => e.type === 'stock.counted'));
  assert.equal(engine.stats().rejected.PLATE_BUSY, 1);
});

test('the same input stream yields the same decisions', () => {
  const a = run(visit()).events;
  const b = run(visit()).events;
  assert.deepEqual(a, b);
  assert.ok(a.some((e) => e.type === 'shelf.event'));
});

test('a clock tick finalises a receipt while the devices are quiet', () => {
  const def = { ...tinyStoreDef(), mode: 'single-shopper' as const };
  const store = parseStore(def);
  assert.ok(store.ok);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  const gate = (kind: 'gate.scan' | 'gate.pass', ts: number, extra: object) =>
    engine.ingest(topicFor('shop', kind, 'door'), { v: 1, ts, ...extra });
  gate('gate.scan', T0, { code: demoEntryCode('bob', 1) });
  gate('gate.pass', T0 + 1_000, { direction: 'in' });
  gate('gate.pass', T0 + 5_000, { direction: 'out' });
  engine.tick(T0 + 6_000);
  assert.equal(events.filter((e) => e.type === 'receipt.final').length, 0);
  engine.tick(T0 + 9_000);
  const receipt = events.find((e) => e.type === 'receipt.final');
  assert.ok(receipt?.type === 'receipt.final');
  assert.equal(receipt.data.total, 0);
});

test('quiet only once nobody has been inside for the found-item lookback; a rebase keeps stock, clock, numbering, stats', () => {
  const { engine, events } = run(visit());
  assert.equal(engine.quiet(), null, 'the shopper left seconds ago: a find may still be theirs');
  const heartbeat = (min: number) =>
    engine.ingest(topicFor('shop', 'plate.weight', 'g1.s1.p1'), { v: 1, ts: T0 + min * 60_000, hz: 1, grams: [5_080] });
  for (let min = 1; min <= 16; min++) heartbeat(min);
  engine.tick(T0 + 16 * 60_000 + 1_000);
  const seed = engine.quiet();
  assert.ok(seed);
  assert.equal(seed.decisions, events.length);
  assert.deepEqual(seed.stock, engine.snapshot().stock);
  const accepted = engine.stats().accepted;
  engine.rebase({ ...seed, stock: { ...seed.stock, 'g1.s1.p1': { WATER: 3 } } });
  assert.deepEqual(engine.snapshot().stock['g1.s1.p1'], { WATER: 3 });
  assert.equal(engine.now(), seed.now, 'the store clock carries on');
  heartbeat(17);
  assert.equal(engine.stats().accepted, accepted + 1);
  const skewed = engine.ingest(topicFor('shop', 'plate.weight', 'g1.s1.p1'), {
    v: 1,
    ts: T0 + 60 * 60_000,
    hz: 1,
    grams: [5_080],
  });
  assert.ok(!skewed.ok && skewed.code === 'CLOCK_SKEW', 'a device an hour ahead is no more trusted after a rebase');
  // Someone inside again: not quiet.
  engine.ingest(topicFor('shop', 'gate.scan', 'door'), { v: 1, ts: T0 + 17 * 60_000, code: demoEntryCode('cy', 1) });
  engine.tick(T0 + 17 * 60_000 + 1_000);
  assert.ok(events.slice(seed.decisions).some((e) => e.type === 'session.opened'));
  assert.equal(engine.quiet(), null);
});

test('a receipt waits for a change from before the exit that the weight stage still holds', () => {
  // The water rests across w1 and w2; w1 falls silent through the pick and Ann is out 3 s later. The shelf event
  // waits for w1 past the exit's grace; Ann's receipt must wait with it, or it closes without the water. Bob, who
  // came in after the pick but before it was decided, is no candidate for it.
  const plates = waterAcross(13_000);
  const { events } = runTestStore(
    [
      gate('gate.scan', 1_000, { code: demoEntryCode('ann', 1) }),
      gate('gate.pass', 2_000, { direction: 'in' }),
      gate('gate.pass', 9_000, { direction: 'out' }),
      gate('gate.scan', 11_000, { code: demoEntryCode('bob', 1) }),
      gate('gate.pass', 12_000, { direction: 'in' }),
      gate('gate.pass', 20_000, { direction: 'out' }),
    ],
    plates,
    30_000,
    false,
  );
  const receipts = events.flatMap((e) => (e.type === 'receipt.final' ? [e.data] : []));
  assert.deepEqual(
    receipts.map((r) => [r.account, r.lines.map((l) => [l.sku, l.qty])]),
    [
      ['ann', [['water', 1]]],
      ['bob', []],
    ],
  );
  assert.equal(events.filter((e) => e.type === 'review.opened').length, 0);
});

test('time alone decides a held change and finalises the receipt while no device speaks', () => {
  // Every device stops 1 s after Ann leaves; w1 never comes back. The clock's tick must still decide the held
  // change (w2's share alone reads as noise) and make the receipt final.
  const plates = waterAcross(60_000);
  const scan = [
    gate('gate.scan', 1_000, { code: demoEntryCode('ann', 1) }),
    gate('gate.pass', 2_000, { direction: 'in' }),
    gate('gate.pass', 9_000, { direction: 'out' }),
  ];
  const { engine, events } = runTestStore(scan, plates, 10_000, false);
  assert.equal(events.filter((e) => e.type === 'receipt.final').length, 0);
  engine.tick(T0 + 30_000);
  assert.equal(events.filter((e) => e.type === 'receipt.final').length, 1);
});

type Timed = { ts: number; topic: string; payload: unknown };

/** A water picked at 6 s from where it rests across w1 and w2; w1 is silent from 4 s until `silentUntil`. */
function waterAcross(silentUntil: number): PlateScript[] {
  return [
    { plateId: 'w1', base: 2_100, changes: [{ t: 6_000, grams: 380 }], gaps: [{ from: 4_000, to: silentUntil }] },
    {
      plateId: 'w2',
      base: 2_300,
      changes: [{ t: 6_000, grams: 120 }],
      presses: [{ t0: 5_300, t1: 6_200, grams: 150 }],
    },
  ];
}

function gate(kind: 'gate.scan' | 'gate.pass', t: number, extra: object): Timed {
  return { ts: T0 + t, topic: topicFor('test-store', kind, 'gate'), payload: { v: 1, ts: T0 + t, ...extra } };
}

/** The weight stage's test store (single-shopper): gate messages and plate streams in time order. */
function runTestStore(gates: Timed[], plates: PlateScript[], durationMs: number, finish = true) {
  const streams = plates.flatMap((p, i) =>
    byException(p, T0, durationMs, 11 + i).map((m) => ({
      ts: m.ts,
      topic: topicFor('test-store', 'plate.weight', m.plateId),
      payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
    })),
  );
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: testStore(), authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of [...gates, ...streams].sort((a, b) => a.ts - b.ts)) assert.ok(engine.ingest(m.topic, m.payload).ok);
  if (finish) engine.finish();
  return { engine, events };
}

test('time alone decides a race between two hands that waits for the events after it while no device speaks', () => {
  // Two shoppers reach into one kiosk plate as a can leaves it; every device stops 2 s after the pick, while the
  // race waits `reliftWithinMs` for a later lift to say whose hand it was.
  const store = parseStore(kioskStore());
  assert.ok(store.ok);
  const scene = kioskReviewScene(store.value);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  const cut = scene.t0 + 16_000;
  for (const m of scene.messages) if (m.ts <= cut) engine.ingest(m.topic, m.payload);
  const decided = () => events.filter((e) => e.type === 'review.opened' || e.type === 'shelf.decided');
  assert.deepEqual(decided(), [], 'the race is still waiting');
  engine.tick(cut + 60_000);
  const shelf = events.find((e) => e.type === 'shelf.event');
  assert.ok(shelf?.type === 'shelf.event');
  assert.ok(shelf.data.tDecided < cut, 'the weight change was read before the devices went quiet');
  const [opened] = decided();
  assert.equal(opened?.type, 'review.opened');
  // At the wait's end, in event time: not at the tick's.
  assert.equal(opened.t, shelf.data.tDecided + fusionConfig().reliftWithinMs);
});

test('a staff count decides first a race waiting on its plate: the pick before the count is logged before it', () => {
  const store = parseStore(kioskStore());
  assert.ok(store.ok);
  const plateId = 'KF-s1-p01';
  const scene = kioskReviewScene(store.value, plateId);
  const sku = store.value.plates.get(plateId)!.plate.skus[0]!;
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  const cut = scene.t0 + 16_000;
  for (const m of scene.messages) if (m.ts <= cut) engine.ingest(m.topic, m.payload);
  assert.ok(!events.some((e) => e.type === 'review.opened'), 'the race is waiting');
  const count = { v: 1, ts: cut, plateId, counts: { [sku]: 3 }, staff: 'Ada' };
  assert.ok(engine.ingest(topicFor(store.value.def.id, 'stock.count', 'console'), count).ok);
  const order = events.map((e) => e.type).filter((t) => t === 'review.opened' || t === 'stock.counted');
  assert.deepEqual(order, ['review.opened', 'stock.counted']);
  assert.equal(engine.snapshot().stock[plateId]?.[sku], 3, 'the log and the engine agree on the count');
});

test('a find left to staff stops waiting after a day, though a handheld stamped an earlier find days ahead', () => {
  const store = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  assert.ok(store.ok);
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: () => {} });
  const hour = 3_600_000;
  const find = (ts: number, at: [number, number]) =>
    engine.ingest(topicFor('shop', 'item.found', 'hh-2'), { v: 1, ts, sku: 'WATER', at });
  // Before any device spoke, a find takes its handheld's stamp as the store's time: here two days ahead.
  find(T0 + 48 * hour, [1, 1]);
  for (let ts = T0; ts <= T0 + 26 * hour; ts += 60_000) {
    engine.ingest(topicFor('shop', 'gate.pass', 'door'), { v: 1, ts, direction: 'out' });
    if (ts === T0 + hour) find(ts, [2, 2]);
  }
  find(T0 + 26 * hour, [3, 3]);
  const waiting = engine.snapshot().found.map((f) => (f.t - T0) / hour);
  assert.ok(!waiting.some((h) => h > 0.5 && h < 2), `the find of +1 h waited over a day: ${waiting}`);
});

test('a plate whose controller fell silent mid-touch can still be counted: the count is what staff do then', () => {
  const store = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  assert.ok(store.ok);
  const plate = byException(
    {
      plateId: 'g1.s1.p1',
      base: 5_600,
      presses: [{ t0: 9_600, t1: 10_900, grams: 300 }],
      gaps: [{ from: 10_000, to: 1e9 }],
    },
    T0,
    200_000,
    7,
  );
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: () => {} });
  const door = Array.from({ length: 40 }, (_, i) => T0 + 15_000 + i * 5_000).map((ts) => ({
    ts,
    topic: topicFor('shop', 'gate.pass', 'door'),
    payload: { v: 1, ts, direction: 'out' },
  }));
  const readings = plate.map((m) => ({
    ts: m.ts,
    topic: topicFor('shop', 'plate.weight', m.plateId),
    payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
  }));
  for (const m of [...readings, ...door].sort((a, b) => a.ts - b.ts)) engine.ingest(m.topic, m.payload);
  engine.tick(T0 + 400_000);
  assert.deepEqual(engine.snapshot().silentPlates, ['g1.s1.p1']);
  const count = { v: 1, ts: T0 + 400_000, plateId: 'g1.s1.p1', counts: { WATER: 9 }, staff: 'Ada' };
  assert.deepEqual(engine.ingest(topicFor('shop', 'stock.count', 'console'), count), { ok: true });
  assert.equal(engine.snapshot().stock['g1.s1.p1']?.WATER, 9);
});
