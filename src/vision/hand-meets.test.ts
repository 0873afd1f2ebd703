import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Box, Vec3 } from '../store/schema.ts';
import { HandMeetDetector } from './hand-meets.ts';
import type { TrackPoint } from './types.ts';

const T0 = 1_767_600_000_000;
/** One shelf's reach volume along y = 0..0.4, x 0..3: people stand in the aisle at y ≈ 1.2. */
const SHELF: Box = { min: [0, 0, 0.2], max: [3, 0.4, 1.8] };

function point(t: number, x: number, y: number, right?: Vec3, left?: Vec3): TrackPoint {
  return { t, x, y, wristSigma: 0.05, ...(right ? { rightWrist: right } : {}), ...(left ? { leftWrist: left } : {}) };
}

/** Runs two people through `frames` samples 100 ms apart; `at(k)` gives each one's point. */
function run(frames: number, at: (t: number) => [TrackPoint, TrackPoint], detector = new HandMeetDetector([SHELF])) {
  const meets = [];
  for (let k = 0; k < frames; k++) {
    const t = T0 + k * 100;
    const [a, b] = at(t);
    meets.push(
      ...detector.observe(t, [
        { trackId: 'T2', point: a },
        { trackId: 'T1', point: b },
      ]),
    );
  }
  return meets;
}

test('two people passing an item hand to hand in the aisle make one meeting', () => {
  // 0.8 m apart, each reaching 0.4 m towards the other: wrists together at 1.0 m for a second.
  const meets = run(20, (t) => [point(t, 1.0, 1.4, [1.4, 1.4, 1.0]), point(t, 1.8, 1.4, undefined, [1.41, 1.4, 1.0])]);
  assert.equal(meets.length, 1);
  assert.deepEqual(meets[0]!.trackIds, ['T1', 'T2']);
  assert.equal(meets[0]!.tStart, T0);
  assert.equal(meets[0]!.t, T0 + 200, 'reported once the third sample in a row agrees');
  // Where on the floor the hands met: between the two wrists.
  assert.deepEqual(
    meets[0]!.at.map((v) => Math.round(v * 1000) / 1000),
    [1.405, 1.4],
  );
});

test('shoulder to shoulder with hands hanging at the sides is not a meeting', () => {
  const meets = run(50, (t) => [
    point(t, 1.0, 1.4, [1.22, 1.4, 0.8]),
    point(t, 1.45, 1.4, undefined, [1.24, 1.4, 0.8]),
  ]);
  assert.equal(meets.length, 0);
});

test('two reaches into neighbouring plates meet inside the shelf, which is not a handoff', () => {
  const meets = run(20, (t) => [
    point(t, 1.0, 1.0, [1.3, 0.35, 1.1]),
    point(t, 1.7, 1.0, undefined, [1.35, 0.35, 1.1]),
  ]);
  assert.equal(meets.length, 0);
});

test('a glancing touch shorter than three samples, or a stale point of a lost track, is not a meeting', () => {
  const brief = run(20, (t) =>
    t < T0 + 200
      ? [point(t, 1.0, 1.4, [1.4, 1.4, 1.0]), point(t, 1.8, 1.4, [1.4, 1.4, 1.0])]
      : [point(t, 1.0, 1.4), point(t, 1.8, 1.4)],
  );
  assert.equal(brief.length, 0);
  const stale = run(20, (t) => [point(T0 - 1000, 1.0, 1.4, [1.4, 1.4, 1.0]), point(t, 1.8, 1.4, [1.4, 1.4, 1.0])]);
  assert.equal(stale.length, 0);
});

test('the same two people are reported again only after the cooldown', () => {
  const detector = new HandMeetDetector([SHELF], { cooldownMs: 5000 });
  // Hands together 1 s, apart 1 s, together again: one meeting; after 6 s apart, a second.
  const together = (t: number): [TrackPoint, TrackPoint] => [
    point(t, 1.0, 1.4, [1.4, 1.4, 1.0]),
    point(t, 1.8, 1.4, [1.4, 1.4, 1.0]),
  ];
  const apart = (t: number): [TrackPoint, TrackPoint] => [point(t, 1.0, 1.4), point(t, 1.8, 1.4)];
  const phases = [together, apart, together, apart, apart, apart, apart, apart, apart, together];
  const meets = run(phases.length * 10, (t) => phases[Math.floor((t - T0) / 1000)]!(t), detector);
  assert.deepEqual(
    meets.map((m) => m.tStart - T0),
    [0, 9000],
  );
});
