import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tinyStore } from '../store/tiny-store.ts';
import { parseTopic, topicFor } from './topics.ts';
import { validateMessage } from './validate.ts';

const store = tinyStore();
const T0 = 1_767_600_000_000;
const plateTopic = topicFor('shop', 'plate.weight', 'g1.s1.p1');

const codeOf = (topic: string, payload: unknown) => {
  const r = validateMessage(store, topic, payload);
  return r.ok ? 'OK' : r.code;
};

test('a good plate batch passes, from bytes or from parsed JSON', () => {
  const payload = { v: 1, ts: T0, hz: 60, grams: [1200.5, 1201] };
  assert.equal(codeOf(plateTopic, payload), 'OK');
  assert.equal(codeOf(plateTopic, Buffer.from(JSON.stringify(payload))), 'OK');
});

test('each kind of bad input gets its own stable reason', () => {
  const cases: [string, unknown, string][] = [
    ['walkout/shop/plates/g1.s1.p1', {}, 'BAD_TOPIC'],
    ['walkout/other/plates/g1.s1.p1/weight', { v: 1, ts: T0, hz: 60, grams: [1] }, 'WRONG_STORE'],
    [plateTopic, '{"v":1, "ts":', 'BAD_JSON'],
    [plateTopic, { v: 2, ts: T0, hz: 60, grams: [1] }, 'BAD_VERSION'],
    [plateTopic, { v: 1, ts: T0, hz: 60, grams: ['heavy'] }, 'BAD_SCHEMA'],
    [plateTopic, { v: 1, ts: T0, hz: 60, grams: [null] }, 'BAD_SCHEMA'],
    [topicFor('shop', 'plate.weight', 'nope'), { v: 1, ts: T0, hz: 60, grams: [1] }, 'UNKNOWN_DEVICE'],
    [plateTopic, { v: 1, ts: T0, hz: 60, grams: [10_000_000] }, 'IMPOSSIBLE_VALUE'],
    [plateTopic, { v: 1, ts: 5, hz: 60, grams: [1] }, 'IMPOSSIBLE_VALUE'],
    [plateTopic, { v: 1, ts: -5, hz: 60, grams: [1] }, 'BAD_SCHEMA'],
    // A rate this low puts the second reading past any finite time.
    [plateTopic, { v: 1, ts: T0, hz: 5e-324, grams: [1, 2] }, 'BAD_SCHEMA'],
    [topicFor('shop', 'gate.pass', 'door'), { v: 1, ts: T0, direction: 'sideways' }, 'BAD_SCHEMA'],
  ];
  for (const [topic, payload, code] of cases) assert.equal(codeOf(topic, payload), code, JSON.stringify(payload));
});

test('gate scans and passes validate against known gates', () => {
  assert.equal(codeOf(topicFor('shop', 'gate.scan', 'door'), { v: 1, ts: T0, code: 'demo:a:1' }), 'OK');
  assert.equal(codeOf(topicFor('shop', 'gate.pass', 'door'), { v: 1, ts: T0, direction: 'in' }), 'OK');
  assert.equal(codeOf(topicFor('shop', 'gate.scan', 'back'), { v: 1, ts: T0, code: 'x' }), 'UNKNOWN_DEVICE');
});

test('an item found on the floor names a product of the store, a place on its floor and a plain handheld id', () => {
  const found = topicFor('shop', 'item.found', 'staff-1');
  assert.equal(codeOf(found, { v: 1, ts: T0, sku: 'WATER', at: [2, 2] }), 'OK');
  assert.equal(codeOf(found, { v: 1, ts: T0, sku: 'SODA', at: [2, 2] }), 'IMPOSSIBLE_VALUE');
  assert.equal(codeOf(found, { v: 1, ts: T0, sku: 'WATER', at: [-40, 2] }), 'IMPOSSIBLE_VALUE');
  assert.equal(codeOf(found, { v: 1, ts: T0, sku: 'WATER' }), 'BAD_SCHEMA');
  assert.equal(
    codeOf(topicFor('shop', 'item.found', 'a b'), { v: 1, ts: T0, sku: 'WATER', at: [2, 2] }),
    'UNKNOWN_DEVICE',
  );
});

test('a staff count names a plate of the store and, for each of its products, whole units', () => {
  const count = topicFor('shop', 'stock.count', 'console');
  const body = (counts: unknown, plateId = 'g1.s1.p1') => ({ v: 1, ts: T0, plateId, counts, staff: 'Ada' });
  assert.equal(count, 'walkout/shop/handhelds/console/count');
  assert.equal(codeOf(count, body({ WATER: 7 })), 'OK');
  assert.equal(codeOf(count, body({ WATER: 0 })), 'OK');
  assert.equal(codeOf(count, body({ WATER: 7 }, 'g9.s9.p9')), 'IMPOSSIBLE_VALUE');
  assert.equal(codeOf(count, body({ SODA: 1 })), 'IMPOSSIBLE_VALUE');
  const proto = `{"v":1,"ts":${T0},"plateId":"g1.s1.p1","counts":{"__proto__":1},"staff":"Ada"}`;
  assert.equal(codeOf(count, proto), 'BAD_SCHEMA', 'no product is named __proto__');
  for (const bad of [{}, { WATER: -1 }, { WATER: 1.5 }, { WATER: '7' }, [7]])
    assert.equal(codeOf(count, body(bad)), 'BAD_SCHEMA', JSON.stringify(bad));
});

test('a device topic is built once and parses back to its store, kind and device', () => {
  const topic = topicFor('shop', 'camera.people', 'cam-7');
  assert.equal(topic, 'walkout/shop/cameras/cam-7/people');
  assert.equal(topicFor('shop', 'camera.people', 'cam-7'), topic);
  assert.equal(topicFor('shop', 'camera.people', 'cam-8'), 'walkout/shop/cameras/cam-8/people');
  assert.equal(topicFor('other', 'plate.weight', 'cam-7'), 'walkout/other/plates/cam-7/weight');
  assert.deepEqual(parseTopic(topic), {
    ok: true,
    value: { storeId: 'shop', kind: 'camera.people', deviceId: 'cam-7' },
  });
});
