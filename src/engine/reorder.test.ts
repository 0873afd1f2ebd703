import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceMessage } from '../protocol/messages.ts';
import { ReorderBuffer } from './reorder.ts';

const T0 = 1_767_600_000_000;
const batch = (plateId: string, ts: number): DeviceMessage => ({
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
