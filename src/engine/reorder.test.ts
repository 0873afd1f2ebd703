import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorMessage } from '../protocol/messages.ts';
import { ReorderBuffer } from './reorder.ts';

const T0 = 1_767_600_000_000;
const batch = (plateId: string, ts: number): SensorMessage => ({
  kind: 'plate.weight',
  plateId,
  v: 1,
  ts,
  hz: 60,
  grams: [1],
});

test('messages are released in event-time order once their window has passed', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  for (const ts of [T0 + 100, T0, T0 + 50]) assert.ok(buffer.offer(batch('p1', ts)).ok);
  assert.deepEqual(buffer.drain(), []);
  buffer.offer(batch('p2', T0 + 400));
  assert.deepEqual(
    buffer.drain().map((m) => m.ts),
    [T0, T0 + 50, T0 + 100],
  );
  assert.deepEqual(
    buffer.drainAll().map((m) => m.ts),
    [T0 + 400],
  );
});

test('an exact duplicate is rejected, the same time from another plate is not', () => {
  const buffer = new ReorderBuffer();
  assert.ok(buffer.offer(batch('p1', T0)).ok);
  const dup = buffer.offer(batch('p1', T0));
  assert.ok(!dup.ok && dup.code === 'DUPLICATE');
  assert.ok(buffer.offer(batch('p2', T0)).ok);
});

test('a message later than the reorder window is rejected as too late', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  for (const ts of [T0, T0 + 600, T0 + 1_000]) buffer.offer(batch('p1', ts));
  assert.equal(buffer.drain().length, 2);
  const late = buffer.offer(batch('p2', T0 + 100));
  assert.ok(!late.ok && late.code === 'TOO_LATE');
});

test('a clock far ahead of the store is rejected as skew and does not move the store forward', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  buffer.offer(batch('p1', T0));
  const skewed = buffer.offer(batch('p2', T0 + 3_600_000));
  assert.ok(!skewed.ok && skewed.code === 'CLOCK_SKEW');
  assert.ok(buffer.offer(batch('p3', T0 + 500)).ok);
});

test('a copy of a message already released at the newest released time is still a duplicate', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  assert.ok(buffer.offer(batch('p1', T0)).ok);
  assert.ok(buffer.offer(batch('p2', T0)).ok);
  assert.ok(buffer.offer(batch('p3', T0 + 400)).ok);
  assert.equal(buffer.drain().length, 2);
  const again = buffer.offer(batch('p1', T0));
  assert.ok(!again.ok && again.code === 'DUPLICATE', JSON.stringify(again));
  assert.match(again.reason, /p\|p1\|/);
  // The same instant from a plate that had not sent it yet is new.
  assert.ok(buffer.offer(batch('p4', T0)).ok);
});

test('duplicates are exact: another frame, code or direction at the same instant is a new message', () => {
  const buffer = new ReorderBuffer();
  const frame = (frame: number): SensorMessage => ({
    kind: 'camera.people',
    cameraId: 'c1',
    v: 1,
    ts: T0,
    frame,
    people: [],
  });
  const scan = (code: string): SensorMessage => ({ kind: 'gate.scan', gateId: 'door', v: 1, ts: T0, code });
  const pass = (direction: 'in' | 'out'): SensorMessage => ({
    kind: 'gate.pass',
    gateId: 'door',
    v: 1,
    ts: T0,
    direction,
  });
  for (const m of [frame(1), frame(2), scan('a'), scan('b'), pass('in'), pass('out')]) assert.ok(buffer.offer(m).ok);
  for (const m of [frame(2), scan('a'), pass('out')]) {
    const r = buffer.offer(m);
    assert.ok(!r.ok && r.code === 'DUPLICATE', m.kind);
  }
  // Devices of different kinds may share an id without shadowing each other.
  assert.ok(buffer.offer({ kind: 'plate.weight', plateId: 'door', v: 1, ts: T0, hz: 60, grams: [1] }).ok);
});

test('a shuffled stream comes out sorted by time, ties in arrival order', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  let s = 12_345;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const offered: SensorMessage[] = [];
  const out: SensorMessage[] = [];
  for (let i = 0; i < 2_000; i++) {
    // Arrivals up to 250 ms out of order, coarse times so many share an instant.
    const m = batch(`p${i}`, T0 + Math.floor(i / 4) * 20 - Math.floor(next() * 13) * 20);
    if (buffer.offer(m).ok) offered.push(m);
    out.push(...buffer.drain());
  }
  out.push(...buffer.drainAll());
  const order = new Map(offered.map((m, i) => [m, i]));
  const expected = [...offered].sort((a, b) => a.ts - b.ts || order.get(a)! - order.get(b)!);
  assert.equal(out.length, offered.length);
  assert.deepEqual(out, expected);
});

test('a buffer started from another one state holds what it held, on the same clock (a journal epoch)', () => {
  const config = { windowMs: 300, maxFutureMs: 60_000 };
  const first = new ReorderBuffer(config);
  for (const ts of [T0, T0 + 400, T0 + 350, T0 + 350]) first.offer(batch(ts === T0 + 350 ? 'p2' : 'p1', ts));
  assert.deepEqual(
    first.drain().map((m) => m.ts),
    [T0],
  );
  const state = first.state();
  assert.deepEqual(
    state.held.map((m) => m.ts),
    [T0 + 350, T0 + 400],
  );
  const next = new ReorderBuffer(config, JSON.parse(JSON.stringify(state)));
  const dup = next.offer(batch('p1', T0 + 400));
  assert.ok(!dup.ok && dup.code === 'DUPLICATE', 'a copy of a held message');
  const again = next.offer(batch('p1', T0));
  assert.ok(!again.ok && again.code === 'DUPLICATE', 'a copy of the message released last, sent again across it');
  const late = next.offer(batch('p3', T0 - 1));
  assert.ok(!late.ok && late.code === 'TOO_LATE', 'the released time carried over');
  const ahead = next.offer(batch('p3', T0 + 400 + 60_001));
  assert.ok(!ahead.ok && ahead.code === 'CLOCK_SKEW', 'the newest time carried over');
  assert.deepEqual(
    next.drainAll().map((m) => [m.kind === 'plate.weight' && m.plateId, m.ts]),
    [
      ['p2', T0 + 350],
      ['p1', T0 + 400],
    ],
  );
});

test('the store clock follows the devices once three agree it is behind (a restart after an outage)', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  buffer.offer(batch('p1', T0));
  const hour = T0 + 3_600_000;
  for (const [plate, ts] of [
    ['p1', hour],
    ['p1', hour + 1_000],
    ['p2', hour + 1_200],
  ] as const) {
    const refused = buffer.offer(batch(plate, ts));
    assert.ok(!refused.ok && refused.code === 'CLOCK_SKEW', `${plate} @ ${ts - T0}: one or two devices ahead`);
  }
  // A third device far from the others' time does not make a quorum.
  const odd = buffer.offer(batch('p3', hour + 600_000));
  assert.ok(!odd.ok && odd.code === 'CLOCK_SKEW');
  assert.ok(buffer.offer(batch('p4', hour + 1_300)).ok, 'three devices agree: the store was behind');
  assert.ok(buffer.offer(batch('p1', hour + 1_400)).ok);
  assert.deepEqual(
    buffer.drainAll().map((m) => m.ts),
    [T0, hour + 1_300, hour + 1_400],
  );
});

test('one controller stamping several plates an hour ahead never moves the store while the rest is accepted', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 60_000 });
  const hour = 3_600_000;
  for (let k = 0; k < 20; k++) {
    const t = T0 + k * 200;
    assert.ok(buffer.offer(batch('healthy', t)).ok);
    for (const plate of ['c1', 'c2', 'c3']) {
      const refused = buffer.offer(batch(plate, t + hour));
      assert.ok(!refused.ok && refused.code === 'CLOCK_SKEW', `${plate} at ${k}`);
    }
  }
  assert.ok(buffer.offer(batch('healthy', T0 + 4_000)).ok, 'the store clock stayed where the healthy plate is');
});

test('a device whose clock runs half a second ahead waits for the others instead of making them too late', () => {
  const buffer = new ReorderBuffer({ windowMs: 300, maxFutureMs: 120_000 });
  const out: number[] = [];
  let late = 0;
  for (let i = 0; i < 50; i++) {
    const t = T0 + i * 100;
    for (const m of [batch('p1', t), batch('p2', t + 30), batch('fast', t + 500)]) {
      if (!buffer.offer(m).ok) late += 1;
      for (const r of buffer.drain()) out.push(r.ts);
    }
  }
  assert.equal(late, 0, 'no good device refused');
  for (const r of buffer.drainAll()) out.push(r.ts);
  assert.equal(out.length, 150);
  assert.deepEqual(
    out,
    [...out].sort((a, b) => a - b),
    'released in time order',
  );
});
