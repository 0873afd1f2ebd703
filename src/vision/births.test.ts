import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GateDef, Vec2 } from '../store/schema.ts';
import { adopt, chooseLostTrack, inBirthZone } from './births.ts';
import { createFloorKalman } from './kalman.ts';
import type { Track } from './track.ts';

const entryArea: Vec2[] = [
  [1, 0.5],
  [2, 0.5],
  [2, 1.5],
  [1, 1.5],
];
// "in" is to the left walking from a to b: +y here.
const gates: GateDef[] = [
  {
    id: 'entry',
    kind: 'entry',
    line: [
      [1, 0],
      [2, 0],
    ],
  } as GateDef,
  {
    id: 'exit',
    kind: 'exit',
    line: [
      [4, 0],
      [5, 0],
    ],
  } as GateDef,
];

function track(
  id: string | undefined,
  x: number,
  y: number,
  lastSeenT: number,
  state: Track['state'] = 'confirmed',
): Track {
  return {
    serial: 0,
    id,
    state,
    kf: createFloorKalman(x, y, lastSeenT, 0.1),
    bornT: 0,
    bornX: x,
    bornY: y,
    lastSeenT,
    diedT: undefined,
    left: false,
    orphan: id === undefined,
    hits: 5,
    camerasSeen: new Set(['a']),
    heights: { nose: 1.7, shoulder: 1.5, hip: 1 },
    observations: new Map(),
    shoulders: [undefined, undefined],
    hands: [undefined, undefined],
    points: [{ t: lastSeenT, x, y, wristSigma: 0.5 }],
    contacts: new Map(),
    lately: { heights: [], next: 0 },
    sides: new Map(),
    pending: [],
  };
}

test('newcomers are born in the entry area or the approach outside an entry gate, nowhere else', () => {
  assert.equal(inBirthZone(entryArea, gates, 2, 1.5, 1), true);
  assert.equal(inBirthZone(entryArea, gates, 2, 1.5, -0.5), true); // queueing at the scanner
  assert.equal(inBirthZone(entryArea, gates, 2, 1.5, -2.5), false); // too far out
  assert.equal(inBirthZone(entryArea, gates, 2, 4.5, -0.5), false); // outside the exit
  assert.equal(inBirthZone(entryArea, gates, 2, 3, 3), false); // inside the store
});

test('an orphan goes to the lost track that could have walked there, not to one still seen', () => {
  const t = 10_000;
  const seen = track('T1', 3, 3, t - 100);
  const lostNear = track('T2', 4, 3, t - 2000); // 1 m away, lost 2 s: easily walked
  lostNear.released = true; // found on another shopper's body (swaps.ts strayTwins): lost until an orphan takes it
  const lostFar = track('T3', 12, 3, t - 1000); // 9 m away in 1 s: impossible
  const orphan = track(undefined, 3, 3, t, 'tentative');
  assert.equal(chooseLostTrack([seen, lostNear, lostFar, orphan], orphan, t, 800), lostNear);
  assert.equal(chooseLostTrack([seen, lostFar, orphan], orphan, t, 800), undefined);
  adopt(lostNear, orphan);
  assert.equal(lostNear.kf.x, 3);
  assert.equal(lostNear.lastSeenT, t);
  assert.equal(lostNear.id, 'T2');
  assert.equal(lostNear.points.at(-1)?.t, t);
  assert.equal(lostNear.released, undefined, 'followed again');
});

test('a lost track just beyond walking reach is refused; between plausible ones height, then recency decide', () => {
  const t = 20_000;
  const orphan = track(undefined, 3, 3, t, 'tentative');
  // 0.6 m slack + 1.6 m/s × 2 s = 3.8 m of reach: 4 m away is just too far.
  const beyond = track('T1', 7, 3, t - 2000);
  assert.equal(chooseLostTrack([beyond, orphan], orphan, t, 800), undefined);
  // Two shoppers lost at the same spot at the same time: the one of the orphan's height wins, once both are learned.
  const tall = track('T2', 4, 3, t - 3000);
  const short = track('T3', 4, 3, t - 3000);
  tall.heights = { nose: 1.7, shoulder: 1.5, hip: 1, samples: 10 };
  short.heights = { nose: 1.35, shoulder: 1.2, hip: 0.8, samples: 10 };
  orphan.heights = { nose: 1.35, shoulder: 1.22, hip: 0.8, samples: 4 };
  assert.equal(chooseLostTrack([tall, short, orphan], orphan, t, 800), short);
  assert.equal(chooseLostTrack([short, tall, orphan], orphan, t, 800), short);
  // Heights unknown: a track lost a minute ago (the shopper likely left unseen) loses to one lost 3 s ago.
  orphan.heights = { nose: 1.6, shoulder: 1.42, hip: 0.95 };
  const old = track('T4', 3.5, 3, t - 60_000);
  assert.equal(chooseLostTrack([old, tall, orphan], orphan, t, 800), tall);
});
