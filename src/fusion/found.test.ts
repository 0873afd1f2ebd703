import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideFound, FloorTrails, FOUND_DEFAULTS } from './found.ts';

const CAMERAS = { threshold: 0.9, tracked: true };
const NO_CAMERAS = { threshold: 0.9, tracked: false };

test('the one shopper holding the product who stood by the spot is charged no more for it', () => {
  const d = decideFound([{ sessionId: 'ann', distanceM: 0.3 }], CAMERAS, FOUND_DEFAULTS);
  assert.equal(d.sessionId, 'ann');
  assert.ok(d.confidence > 0.9 && d.confidence < 1, String(d.confidence));
});

test('two shoppers who both stood by the spot are left to staff, each about as likely', () => {
  const d = decideFound(
    [
      { sessionId: 'ann', distanceM: 0.2 },
      { sessionId: 'bob', distanceM: 0.3 },
    ],
    CAMERAS,
    FOUND_DEFAULTS,
  );
  assert.equal(d.sessionId, null);
  assert.deepEqual(
    d.candidates.map((c) => c.sessionId),
    ['ann', 'bob'],
  );
  assert.ok(Math.abs(d.candidates[0]!.probability - d.candidates[1]!.probability) < 0.1);
});

test('a shopper who never came near the spot is not the dropper, nor is anyone when nobody holds the product', () => {
  assert.equal(decideFound([{ sessionId: 'ann', distanceM: 4 }], CAMERAS, FOUND_DEFAULTS).sessionId, null);
  const nobody = decideFound([], CAMERAS, FOUND_DEFAULTS);
  assert.deepEqual([nobody.sessionId, nobody.confidence], [null, 0]);
});

test('without cameras the only shopper holding the product is decided; two are not', () => {
  const one = decideFound([{ sessionId: 'ann', distanceM: null }], NO_CAMERAS, FOUND_DEFAULTS);
  assert.equal(one.sessionId, 'ann');
  const two = decideFound(
    [
      { sessionId: 'ann', distanceM: null },
      { sessionId: 'bob', distanceM: null },
    ],
    NO_CAMERAS,
    FOUND_DEFAULTS,
  );
  assert.equal(two.sessionId, null);
});

test('with cameras, a shopper whose track was lost is never decided on a guess and keeps a seen one from it', () => {
  const lost = decideFound([{ sessionId: 'ann', distanceM: null }], CAMERAS, FOUND_DEFAULTS);
  assert.deepEqual([lost.sessionId, lost.confidence > 0.9], [null, true]);
  const beside = decideFound(
    [
      { sessionId: 'ann', distanceM: 0.3 },
      { sessionId: 'bob', distanceM: null },
    ],
    CAMERAS,
    FOUND_DEFAULTS,
  );
  assert.equal(beside.sessionId, null);
  assert.equal(beside.candidates[0]?.sessionId, 'ann');
});

test('a trail answers its closest approach within a time window, and old trails are forgotten', () => {
  const trails = new FloorTrails();
  trails.record('ann', 1_000, [0, 0]);
  trails.record('ann', 2_000, [3, 4]);
  trails.record('bob', 5_000, [1, 1]);
  assert.equal(trails.closest('ann', [3, 4], 0, 3_000), 0);
  assert.equal(trails.closest('ann', [3, 4], 0, 1_500), 5);
  assert.equal(trails.closest('ann', [3, 4], 2_500, 9_000), null);
  trails.prune(3_000);
  assert.equal(trails.closest('ann', [0, 0], 0, 9_000), null);
  assert.equal(trails.closest('bob', [1, 1], 0, 9_000), 0);
});
