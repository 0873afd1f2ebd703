import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import { createRng } from '../sim/random.ts';
import type { Vec3 } from '../store/schema.ts';
import { DEFAULT_VISION_CONFIG } from './config.ts';
import { cameraModel, project, type Triangulated } from './geometry.ts';
import { detectionAnchors } from './matching.ts';
import { floorMeasurement, type ObserveContext, observe } from './observe.ts';
import { detect, skeleton, syntheticStore } from './synthetic.ts';
import type { Track } from './track.ts';
import { newTrack } from './track.ts';

const T0 = 1_700_000_000_000;
const store = syntheticStore({ width: 6, depth: 5, grid: [2, 2], cameraHeight: 3, tilt: 0.3 });
const config = DEFAULT_VISION_CONFIG;
const ctx: ObserveContext = {
  cameras: new Map(store.def.cameras.map((c) => [c.id, cameraModel(c)])),
  config,
  tuning: { accelNoise: config.accelNoise, maxPositionVar: config.maxPositionSigma ** 2 },
  guessed: { minKeypointScore: config.guessedKeypointScore, pixelSigma: config.guessedPixelSigma },
};
const cam = (id: string) => ctx.cameras.get(id)!;

/** A noise-free detection of these joints by one camera. */
function seen(cameraId: string, joints: readonly Vec3[]): Detection {
  const det = detect(store.cameras.get(cameraId)!, joints, createRng(1), { pixelSigma: 0, dropout: 0, miss: 0 });
  assert.ok(det, `${cameraId} must see the body`);
  return det;
}

/** A confirmed track standing at (x, y) at T0 with position σ (m) and a learned adult height. */
function standing(x: number, y: number, sigma: number, velocitySigma = 1): Track {
  const track = newTrack(0, { x, y, ts: T0, sigma }, { nose: 1.62, shoulder: 1.45, hip: 0.95, samples: 10 }, false);
  track.kf.vv = velocitySigma ** 2;
  return { ...track, id: 'T1', state: 'confirmed', hits: 10 };
}

/** Two cameras (both see the whole body left of x = 2.5 at y = 2.5): cam1 a moment before, cam3 at ts. */
function observeFromTwo(track: Track, joints: readonly Vec3[], ts: number): void {
  track.observations.set('cam1', { ts: ts - 10, keypoints: seen('cam1', joints).keypoints });
  const det = seen('cam3', joints);
  observe(track, cam('cam3'), det, detectionAnchors(det, config.minKeypointScore), ts, ctx);
}

const body = (x: number, y: number) => skeleton({ x, y, heading: 0, scale: 1 });
const joint = (X: Vec3, sigma = 0.02): Triangulated => ({ X, rmsPx: 1, sigma, views: 3 });

test('a triangulated hip pair sets the floor point only at a human height and less than 0.5 m apart', () => {
  const det = seen('cam1', body(2, 2));
  const anchors = detectionAnchors(det, config.minKeypointScore);
  const track = standing(2, 2, 0.05);
  const shL = joint([1.9, 2.15, 1.45]);
  const shR = joint([1.9, 1.85, 1.45]);
  const floor = (hipL: Triangulated, hipR: Triangulated, sl = shL, sr = shR) =>
    floorMeasurement(track, cam('cam1'), anchors, hipL, hipR, sl, sr, config)!;

  // A body: the hip centre, with at least the 5 cm floor σ.
  const good = floor(joint([2.1, 2.1, 0.95]), joint([2.1, 1.9, 0.95]));
  assert.deepEqual([good.x, good.y, good.sigma], [2.1, 2, 0.05]);
  // A poorly triangulated pair keeps its own (larger) σ, so it weighs less in the filter and in the gate.
  assert.equal(floor(joint([2.1, 2.1, 0.95], 0.2), joint([2.1, 1.9, 0.95], 0.3)).sigma, 0.25);
  // Hips below the floor's plausible range, above it, or 0.8 m apart: the shoulders' centre instead.
  for (const [l, r] of [
    [joint([2.6, 2.1, 0.1]), joint([2.6, 1.9, 0.1])],
    [joint([2.6, 2.1, 1.6]), joint([2.6, 1.9, 1.6])],
    [joint([2.4, 2.4, 0.95]), joint([2.4, 1.6, 0.95])],
  ] as const) {
    const f = floor(l, r);
    assert.ok(Math.abs(f.x - 1.9) < 1e-9 && Math.abs(f.y - 2) < 1e-9, `shoulders expected, got (${f.x}, ${f.y})`);
    assert.ok(f.sigma >= 0.075);
  }
  // Shoulders implausible too (below 0.55 m): one camera's hip ray cut at the learned hip height.
  const single = floor(joint([2.6, 2.1, 0.1]), joint([2.6, 1.9, 0.1]), joint([3, 2.1, 0.2]), joint([3, 1.9, 0.2]));
  assert.equal(single.sigma, 0.15);
  assert.ok(Math.hypot(single.x - 2, single.y - 2) < 0.05, `single view (${single.x}, ${single.y})`);
});

test('through observe: hips a detector put at the knees 0.3 m off do not move the track, the shoulders hold it', () => {
  const track = standing(1.8, 2.5, 0.3);
  const joints = body(1.8, 2.5);
  // Both views agree on "hips" at 10 cm height 0.3 m ahead: they triangulate cleanly to a point no hip can be.
  joints[KP.left_hip] = [2.1, 2.61, 0.1];
  joints[KP.right_hip] = [2.1, 2.39, 0.1];
  observeFromTwo(track, joints, T0 + 70);
  assert.ok(Math.abs(track.kf.x - 1.8) < 0.04, `x ${track.kf.x}`);
  assert.ok(Math.abs(track.kf.y - 2.5) < 0.04, `y ${track.kf.y}`);
  // Nor do they teach the track a hip height.
  assert.equal(track.heights.hip, 0.95);
});

test('a floor fix 1 m from where a still shopper must be is skipped; the same fix is taken once time allows it', () => {
  const track = standing(1.5, 2.5, 0.05, 0.2);
  observeFromTwo(track, body(2.5, 2.5), T0 + 70);
  assert.deepEqual([track.kf.x, track.kf.y, track.kf.t], [1.5, 2.5, T0]);
  // Still recorded as a sighting (a skipped fix is not a lost shopper), but the detection is not kept as this
  // camera's view of the shopper: it is likely someone else's, and would pull later triangulations over.
  assert.equal(track.lastSeenT, T0 + 70);
  assert.equal(track.observations.get('cam3'), undefined);

  // Two seconds on, the prediction's uncertainty covers a metre: the shopper really moved.
  observeFromTwo(track, body(2.5, 2.5), T0 + 2000);
  assert.ok(track.kf.x > 2.4, `x ${track.kf.x}`);
});

test('a fix within 0.35 m is always taken, however certain the prediction', () => {
  const track = standing(1.8, 2.5, 0.02, 0.05);
  observeFromTwo(track, body(2.1, 2.5), T0 + 70);
  assert.ok(track.kf.x > 1.85, `x ${track.kf.x}`);
  assert.equal(track.kf.t, T0 + 70);
});

test('near another shopper the learned heights freeze and the fast height mean starts again', () => {
  const tall = skeleton({ x: 1.8, y: 2.5, heading: 0, scale: 1.1 });
  const free = standing(1.8, 2.5, 0.05);
  const crowded = standing(1.8, 2.5, 0.05);
  crowded.near = true;
  crowded.recent = { shoulder: 1.45, n: 30 };
  for (let k = 1; k <= 5; k++) {
    observeFromTwo(free, tall, T0 + k * 30);
    observeFromTwo(crowded, tall, T0 + k * 30);
  }
  assert.ok(free.heights.shoulder > 1.46, `free ${free.heights.shoulder}`);
  assert.ok(free.recent && free.recent.shoulder > 1.5, `recent ${free.recent?.shoulder}`);
  assert.deepEqual(crowded.heights, standing(0, 0, 1).heights);
  assert.equal(crowded.recent, undefined);
});

test('a wrist gone out of every camera stays where two cameras last put it while the elbow is within a forearm', () => {
  const track = standing(1.8, 2.5, 0.05);
  const reaching = skeleton({
    x: 1.8,
    y: 2.5,
    heading: 0,
    scale: 1,
    reach: { side: 'right', target: [2.3, 2.2, 1.1], amount: 1 },
  });
  const hidden = (joints: readonly Vec3[], ts: number) => {
    const hide = (det: Detection) => {
      det.keypoints[KP.right_wrist] = [0, 0, 0.1];
      return det;
    };
    track.observations.set('cam1', { ts: ts - 10, keypoints: hide(seen('cam1', joints)).keypoints });
    const det = hide(seen('cam3', joints));
    observe(track, cam('cam3'), det, detectionAnchors(det, config.minKeypointScore), ts, ctx);
    return track.points[track.points.length - 1]!;
  };
  observeFromTwo(track, reaching, T0 + 30);
  const seenWrist = track.points[track.points.length - 1]!.rightWrist!;
  assert.ok(Math.hypot(seenWrist[0] - 2.3, seenWrist[1] - 2.2, seenWrist[2] - 1.1) < 0.03, `seen ${seenWrist}`);

  // The hand goes into the shelf: no camera sees the wrist, the extended elbow still does.
  const held = hidden(reaching, T0 + 1030);
  assert.deepEqual(held.rightWrist, seenWrist);
  assert.ok(held.wristSigma > 0.1 && held.wristSigma < 0.25, `σ ${held.wristSigma}`);
  // The arm back at the side, its wrist still unseen: the hand is no longer held in the shelf.
  assert.equal(hidden(body(1.8, 2.5), T0 + 1100).rightWrist, undefined);
  // Nor, however the elbow stands, once the wrist has been out of sight longer than `heldWristMs`.
  assert.equal(hidden(reaching, T0 + 30 + config.heldWristMs + 1).rightWrist, undefined);
});

test("a wrist no camera sees is placed from the detector's guesses when they fall on the arm, and not remembered", () => {
  const track = standing(1.8, 2.5, 0.05);
  const target: Vec3 = [2.2, 2.3, 0.9];
  const reaching = skeleton({ x: 1.8, y: 2.5, heading: 0, scale: 1, reach: { side: 'right', target, amount: 1 } });
  const guessedAt = (joints: readonly Vec3[], ts: number, where?: Vec3, elbowToo = false) => {
    // The detector cannot see the hand but guesses it, at the true place or at `where`, with a low score.
    const guess = (det: Detection, cameraId: string) => {
      const [u, v] = where ? project(cam(cameraId), ...where) : det.keypoints[KP.right_wrist]!;
      det.keypoints[KP.right_wrist] = [u, v, 0.2];
      const elbow = det.keypoints[KP.right_elbow]!;
      if (elbowToo) det.keypoints[KP.right_elbow] = [elbow[0], elbow[1], 0.2];
      return det;
    };
    track.observations.set('cam1', { ts: ts - 10, keypoints: guess(seen('cam1', joints), 'cam1').keypoints });
    const det = guess(seen('cam3', joints), 'cam3');
    observe(track, cam('cam3'), det, detectionAnchors(det, config.minKeypointScore), ts, ctx);
    return track.points[track.points.length - 1]!;
  };
  const point = guessedAt(reaching, T0 + 30);
  const w = point.rightWrist!;
  assert.ok(Math.hypot(w[0] - target[0], w[1] - target[1], w[2] - target[2]) < 0.03, `guessed ${w}`);
  // Its σ is the guesses' (several times a seen wrist's), and a hand nobody saw is not where it was "last seen".
  assert.ok(point.wristSigma > 0.03, `σ ${point.wristSigma}`);
  assert.equal(track.hands[1], undefined);
  // The elbow guessed too (the whole forearm in the shelf): still on the arm.
  assert.ok(guessedAt(reaching, T0 + 45, undefined, true).rightWrist);
  // Guesses that meet 0.8 m from the elbow are not a wrist on this arm.
  assert.equal(guessedAt(reaching, T0 + 60, [2.2, 3.1, 0.9]).rightWrist, undefined);
});
