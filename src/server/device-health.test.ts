import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopic } from '../protocol/topics.ts';
import { tinyStore } from '../store/tiny-store.ts';
import { DeviceHealth } from './device-health.ts';

const WALL = 1_767_600_000_000;
const topicOf = (t: string) => {
  const parsed = parseTopic(t);
  assert.ok(parsed.ok);
  return parsed.value;
};
const plate = topicOf('walkout/shop/plates/g1.s1.p1/weight');
const door = topicOf('walkout/shop/gates/door/scan');
/** A one-second batch of 60 samples stamped `ts`: sent a second after its stamp. */
const batch = (ts: number) => ({ v: 1, ts, hz: 60, grams: Array.from({ length: 61 }, () => 500) });
const scan = (ts: number) => ({ v: 1, ts, code: 'x' });

test('a device stamped seconds ahead of the server and of the other devices is ahead; a close one is not', () => {
  const health = new DeviceHealth(tinyStore());
  health.observe(door, scan(WALL - 20), WALL);
  assert.equal(health.aheadBy(plate, batch(WALL + 10_000), WALL, 2_000), 11_000, 'sent after its batch: 11 s ahead');
  assert.equal(health.aheadBy(plate, batch(WALL + 500), WALL, 2_000), null);
  assert.equal(health.aheadBy(door, scan(WALL + 10_000), WALL, 2_000), 10_000, 'its own clock is no witness');
});

test('the server may be the one behind: devices agreeing with each other are not ahead', () => {
  const health = new DeviceHealth(tinyStore());
  // Before any other device was measured the server's clock decides: the first message is refused.
  assert.equal(health.aheadBy(plate, batch(WALL + 10_000), WALL, 2_000), 11_000);
  // The door agrees with the plate, however long ago it was heard: the server's clock is 10 s behind.
  health.observe(door, scan(WALL + 9_990), WALL);
  assert.equal(health.aheadBy(plate, batch(WALL + 10_000), WALL, 2_000), null);
  assert.equal(health.aheadBy(plate, batch(WALL + 70_000), WALL + 60_000, 2_000), null);
});
