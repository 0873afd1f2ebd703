import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopic } from '../protocol/topics.ts';
import { runsAhead } from './device-health.ts';

const WALL = 1_767_600_000_000;
const parsed = parseTopic('walkout/shop/plates/g1.s1.p1/weight');
assert.ok(parsed.ok);
const plate = parsed.value;
/** A one-second batch of 60 samples stamped `ts`: sent a second after its stamp. */
const batch = (ts: number) => ({ ts, hz: 60, grams: Array.from({ length: 61 }, () => 500) });

test('a message stamped seconds ahead of both the server and the store runs ahead; one within the limit does not', () => {
  const at = { receivedAt: WALL, storeNow: WALL - 50 };
  assert.equal(runsAhead(plate, batch(WALL + 10_000), at, 2_000), 11_000, 'sent after its batch: 11 s ahead');
  assert.equal(runsAhead(plate, batch(WALL + 500), at, 2_000), null);
});

test('ahead of the server alone or of the store alone is not enough to tell which clock is wrong', () => {
  // The server's clock is 10 s behind: the store's clock, kept by the other devices, agrees with this one.
  assert.equal(runsAhead(plate, batch(WALL + 10_000), { receivedAt: WALL, storeNow: WALL + 9_800 }, 2_000), null);
  // The store was quiet for an hour: the device is right, the store's clock old.
  assert.equal(runsAhead(plate, batch(WALL), { receivedAt: WALL + 50, storeNow: WALL - 3_600_000 }, 2_000), null);
  // No current store clock (a fresh start, or every device quiet): nothing to compare with.
  assert.equal(runsAhead(plate, batch(WALL + 10_000), { receivedAt: WALL, storeNow: null }, 2_000), null);
});
