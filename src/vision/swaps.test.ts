import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markNear, resolveSwaps, strayTwins } from './swaps.ts';
import type { Track } from './track.ts';
import { newTrack } from './track.ts';

const T0 = 1_700_000_000_000;

/** A confirmed track at (x, y) whose learned shoulder height is `learned` and which lately sees `now`. */
function track(id: string, x: number, y: number, learned: number, now: number): Track {
  const heights = { nose: learned + 0.2, shoulder: learned, hip: learned * 0.66, samples: 400 };
  return {
    ...newTrack(0, { x, y, ts: T0, sigma: 0.05 }, heights, false),
    id,
    state: 'confirmed',
    bornT: T0 - 60_000,
    bornX: 1,
    bornY: 0.5,
    hits: 500,
    camerasSeen: new Set(['cam1', 'cam2']),
    recent: { shoulder: now, n: 30 },
  };
}

/** Two shoppers who brushed past each other a moment ago and are now 1.2 m apart. */
function afterContact(aSees: number, bSees: number, gap = 0.07) {
  const a = track('T1', 2, 2, 1.45, aSees);
  const b = track('T2', 3.2, 2, 1.45 - gap, bSees);
  a.contacts.set(b, T0 - 1000);
  return { a, b, kfA: a.kf, kfB: b.kf };
}

test("two tracks that each now see the other one's height swap their shoppers back, keeping ids and heights", () => {
  const { a, b, kfA, kfB } = afterContact(1.385, 1.448);
  const handA = { X: [2.3, 2.4, 1.1] as [number, number, number], sigma: 0.03, t: T0 - 200 };
  a.hands = [undefined, handA];
  assert.equal(resolveSwaps([a, b]).length, 1);
  assert.equal(a.kf, kfB);
  assert.equal(b.kf, kfA);
  // A hand held in a shelf goes with its shopper too.
  assert.deepEqual(
    [a.hands, b.hands],
    [
      [undefined, undefined],
      [undefined, handA],
    ],
  );
  assert.deepEqual([a.id, a.heights.shoulder, b.id, b.heights.shoulder], ['T1', 1.45, 'T2', 1.38]);
  // And the fast means went with the shoppers: checking again changes nothing.
  assert.equal(resolveSwaps([a, b]).length, 0);
});

test('no swap when only one of them changed (a shopper crouching at a low shelf), or when both look the same', () => {
  const crouching = afterContact(1.25, 1.38);
  assert.equal(resolveSwaps([crouching.a, crouching.b]).length, 0);
  const unchanged = afterContact(1.45, 1.38);
  assert.equal(resolveSwaps([unchanged.a, unchanged.b]).length, 0);
  // 2 cm apart in height: nothing tells them apart.
  const close = afterContact(1.43, 1.45, 0.02);
  assert.equal(resolveSwaps([close.a, close.b]).length, 0);
});

test('only shoppers who were within reach of each other lately can have swapped', () => {
  const never = afterContact(1.385, 1.448);
  never.a.contacts.clear();
  assert.equal(resolveSwaps([never.a, never.b]).length, 0);
  const longAgo = afterContact(1.385, 1.448);
  longAgo.a.contacts.set(longAgo.b, T0 - 10_000);
  assert.equal(resolveSwaps([longAgo.a, longAgo.b]).length, 0);
});

test('markNear flags tracks within a metre of another and remembers everyone they met, for a while', () => {
  const a = track('T1', 2, 2, 1.45, 1.45);
  const b = track('T2', 2.6, 2, 1.38, 1.38);
  const c = track('T3', 4, 2, 1.5, 1.5);
  const d = track('T4', 2, 2.5, 1.6, 1.6);
  markNear([a, b, c, d], [a, b, c, d]);
  assert.deepEqual([a.near, b.near, c.near, d.near], [true, true, false, true]);
  // Among several shoppers at one shelf, the two that swap need not be each other's nearest: a met b and d.
  assert.deepEqual([...a.contacts.keys()], [b, d]);
  assert.equal(c.contacts.size, 0);
  // Three seconds later, with everyone apart, the contacts are forgotten.
  for (const t of [a, b, c, d]) t.kf.t = T0 + 3000;
  b.kf.x = 5;
  d.kf.y = 5;
  markNear([a, b, c, d], [a, b, c, d]);
  assert.deepEqual([a.near, a.contacts.size], [false, 0]);
});

/** The latest samples of a track that stays in a crowd (never clear, so no fast mean): `n` steady readings of `h`. */
function crowded(t: Track, h: number, n = 31): Track {
  t.recent = undefined;
  t.lately = { heights: Array.from({ length: n }, (_, i) => h + (i % 3) * 0.01 - 0.01), next: 0 };
  return t;
}

test('in a crowd, tracks whose heights are far apart are swapped back by the median of their latest samples', () => {
  // 1.53 and 1.33 m shoulders, each track now steadily reading the other's (a few stray samples of a third shopper).
  const { a, b } = afterContact(1.45, 1.45, 0.2);
  crowded(a, 1.25);
  crowded(b, 1.45);
  a.lately.heights.splice(0, 5, 1.6, 1.6, 1.6, 1.6, 1.6);
  assert.equal(resolveSwaps([a, b]).length, 1);
  // Too few samples yet; heights only 7 cm apart (a neighbour's keypoints could fake that); or readings spread
  // over two bodies (a blend, whatever its median): no judgement.
  const early = afterContact(1.45, 1.45, 0.2);
  crowded(early.a, 1.25, 20);
  crowded(early.b, 1.45);
  const close = afterContact(1.45, 1.45, 0.07);
  crowded(close.a, 1.38);
  crowded(close.b, 1.45);
  const blend = afterContact(1.45, 1.45, 0.2);
  crowded(blend.a, 1.25);
  crowded(blend.b, 1.45);
  blend.b.lately.heights = blend.b.lately.heights.map((h, i) => (i % 2 === 0 ? h : h - 0.2));
  blend.b.lately.heights[1] = 1.45;
  for (const pair of [early, close, blend]) assert.equal(resolveSwaps([pair.a, pair.b]).length, 0);
});

test('two confirmed tracks on one body for 2 s: the one whose height fits the body worse is the stray', () => {
  // T1 (1.53 m shoulders) stayed on T2's shopper (1.33 m) after its own walked off; both read the 1.33 m body.
  const a = crowded(track('T1', 2, 2, 1.53, 1.53), 1.33);
  const b = crowded(track('T2', 2.05, 2, 1.33, 1.33), 1.33);
  markNear([a, b], [a, b]);
  assert.deepEqual(strayTwins([a, b], T0), []);
  assert.deepEqual(strayTwins([a, b], T0 + 1000), [], 'not yet: 1 s together');
  // The stray was last on its own shopper when they met.
  assert.deepEqual(strayTwins([a, b], T0 + 2000), [{ track: a, since: T0 }]);
  // Heights 2 cm apart cannot tell whose body it is; 30 cm apart is not one body.
  const c = crowded(track('T3', 2, 2, 1.35, 1.35), 1.34);
  const d = crowded(track('T4', 2.05, 2, 1.33, 1.33), 1.34);
  const e = crowded(track('T5', 5, 2, 1.33, 1.33), 1.33);
  const f = crowded(track('T6', 5.3, 2, 1.53, 1.53), 1.33);
  markNear([c, d, e, f], [c, d, e, f]);
  for (const t of [T0, T0 + 3000]) {
    assert.deepEqual(strayTwins([c, d], t), []);
    assert.deepEqual(strayTwins([e, f], t), []);
  }
});
