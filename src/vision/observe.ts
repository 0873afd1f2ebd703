/**
 * Folds one camera's detection into its track: triangulates joints with what the other cameras saw of the
 * same shopper moments before (weighted by score and recency), falls back to one-camera
 * guesses, updates the floor filter and body heights, and records a history point with the wrists.
 */

import type { Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import type { Vec3 } from '../store/schema.ts';
import type { VisionConfig } from './config.ts';
import type { CameraModel, Triangulated } from './geometry.ts';
import { rayAtHeight, rayNearest } from './geometry.ts';
import type { KalmanTuning } from './kalman.ts';
import { predictAt, update } from './kalman.ts';
import type { DetectionAnchors } from './matching.ts';
import type { SeenWrist, Track } from './track.ts';
import { pushPoint } from './track.ts';
import type { TrackPoint } from './types.ts';
import { gatherViews, type KeypointNoise, robustTriangulate, type TimedView, viewGeometry } from './views.ts';

export interface ObserveContext {
  cameras: ReadonlyMap<string, CameraModel>;
  config: VisionConfig;
  tuning: KalmanTuning;
  /** The detector's guessed keypoints counted as seen, at their larger noise (`guessedPixelSigma`). */
  guessed: KeypointNoise;
}

const HEIGHT_LEARNING_RATE = 0.05;
/** Rate of the fast shoulder-height mean (about the last dozen samples, under a second of frames). */
const RECENT_LEARNING_RATE = 0.15;
/** Shoulder heights kept per track, near others or not (about a second of frames from three cameras). */
export const LATELY_SAMPLES = 31;
/** Heights learned from this many samples are frozen while another shopper is near. */
const FREEZE_AFTER_SAMPLES = 10;
/** Floor measurement noise (m) when the hips were triangulated, and with one camera only. */
const TRIANGULATED_FLOOR_SIGMA = 0.05;
const SINGLE_VIEW_FLOOR_SIGMA = 0.15;

export function observe(
  track: Track,
  cam: CameraModel,
  det: Detection,
  anchors: DetectionAnchors,
  ts: number,
  ctx: ObserveContext,
  record = true,
): void {
  const { config } = ctx;
  const previous = track.observations.get(cam.def.id);
  track.observations.set(cam.def.id, { ts, keypoints: det.keypoints });
  const views = gatherViews(track, ts, ctx);
  const geometry = viewGeometry(views, track.kf.x, track.kf.y);

  const hipL = robustTriangulate(views, geometry, KP.left_hip, config);
  const hipR = robustTriangulate(views, geometry, KP.right_hip, config);
  const shL = robustTriangulate(views, geometry, KP.left_shoulder, config);
  const shR = robustTriangulate(views, geometry, KP.right_shoulder, config);
  const nose = robustTriangulate(views, geometry, KP.nose, config);
  learnHeights(track, hipL, hipR, shL, shR, nose);
  // Shoulders are kept relative to the body centre so they stay useful while the shopper walks.
  if (shL) track.shoulders[0] = [shL.X[0] - track.kf.x, shL.X[1] - track.kf.y, shL.X[2]];
  if (shR) track.shoulders[1] = [shR.X[0] - track.kf.x, shR.X[1] - track.kf.y, shR.X[2]];

  const floor = floorMeasurement(track, cam, anchors, hipL, hipR, shL, shR, config);
  track.lastSeenT = Math.max(track.lastSeenT, ts);
  if (floor && !consistent(track, floor, ts, ctx.tuning)) {
    // Likely someone else's detection: kept as this camera's view, it would pull every later triangulation over.
    if (previous) track.observations.set(cam.def.id, previous);
    else track.observations.delete(cam.def.id);
    return;
  }
  if (floor) update(track.kf, floor.x, floor.y, floor.sigma ** 2, ts, ctx.tuning);
  if (!record) return;

  const left = wrist(track, cam, det, views, geometry, 0, ts, ctx);
  const right = wrist(track, cam, det, views, geometry, 1, ts, ctx);
  const wristSigma =
    left && right
      ? Math.max(left.sigma, right.sigma)
      : (left?.sigma ?? right?.sigma ?? config.singleViewWristSigma * 2);
  const point = historyPoint(
    ts,
    track.kf.x,
    track.kf.y,
    left?.X,
    right?.X,
    armOut(track, 0, left?.X, config.nominalHeights.shoulder),
    armOut(track, 1, right?.X, config.nominalHeights.shoulder),
    wristSigma,
  );
  pushPoint(track, point, config.historyMs);
  track.hits += 1;
  track.camerasSeen.add(cam.def.id);
}

/** A hand hanging at rest is below its shoulder at this share of the shoulder's height (0.6 on the human body). */
const REST_WRIST_SHARE = 0.6;

/**
 * Body scales an arm's reach is told in: a learned shoulder height makes it at most this much longer or shorter than
 * the nominal adult's, so a height learned wrong (or kept from another body after a swap) cannot blow wrist noise up.
 */
const ARM_SCALE_RANGE = [0.85, 1.6] as const;

/**
 * How far a wrist is from where that hand hangs at rest: below its own shoulder (the body centre plus the latest
 * shoulder offset) at `REST_WRIST_SHARE` of the shoulder's height. A reach out or down to a low shelf moves it away.
 * Told in a nominal adult's arm: a child's arm is shorter, and its reach to a low shelf moves the wrist less than an
 * adult's hanging hand sways, so the distance is scaled by the nominal shoulder height over the learned one, once
 * the track has learned its own (`FREEZE_AFTER_SAMPLES`).
 */
function armOut(track: Track, side: 0 | 1, wrist: Vec3 | undefined, nominalShoulder: number): number {
  if (!wrist) return 0;
  const [dx, dy, z] = track.shoulders[side] ?? [0, 0, track.heights.shoulder];
  const out = Math.hypot(wrist[0] - track.kf.x - dx, wrist[1] - track.kf.y - dy, wrist[2] - z * REST_WRIST_SHARE);
  if ((track.heights.samples ?? 0) < FREEZE_AFTER_SAMPLES) return out;
  const [least, most] = ARM_SCALE_RANGE;
  return out * Math.min(most, Math.max(least, nominalShoulder / track.heights.shoulder));
}

/** A history point, keys always in the same order (t, x, y, each wrist seen with its distance from rest, sigma). */
function historyPoint(
  t: number,
  x: number,
  y: number,
  leftWrist: Vec3 | undefined,
  rightWrist: Vec3 | undefined,
  leftOut: number,
  rightOut: number,
  wristSigma: number,
): TrackPoint {
  if (leftWrist && rightWrist) return { t, x, y, leftWrist, leftOut, rightWrist, rightOut, wristSigma };
  if (leftWrist) return { t, x, y, leftWrist, leftOut, wristSigma };
  if (rightWrist) return { t, x, y, rightWrist, rightOut, wristSigma };
  return { t, x, y, wristSigma };
}

/** Innovation gate: a floor measurement this many σ (and at least `MIN_OUTLIER_M`) from the prediction is an outlier. */
const OUTLIER_SIGMAS = 4;
const MIN_OUTLIER_M = 0.35;

/**
 * True when a floor measurement agrees with where the filter expects the shopper. One bad triangulation folded in
 * at full weight throws the velocity off by metres per second and the track runs away from its shopper; skipped
 * measurements let the prediction's uncertainty grow, so a shopper who really moved is accepted a moment later.
 */
function consistent(track: Track, floor: { x: number; y: number; sigma: number }, ts: number, tuning: KalmanTuning) {
  const p = predictAt(track.kf, ts, tuning);
  const d = Math.hypot(floor.x - p.x, floor.y - p.y);
  return d <= Math.max(MIN_OUTLIER_M, OUTLIER_SIGMAS * Math.sqrt(p.sigma ** 2 + floor.sigma ** 2));
}

function learnHeights(
  track: Track,
  hipL: Triangulated | undefined,
  hipR: Triangulated | undefined,
  shL: Triangulated | undefined,
  shR: Triangulated | undefined,
  nose: Triangulated | undefined,
): void {
  const h = track.heights;
  // A plain mean over the first samples, so a newcomer's (or an orphan's) height is its own within a second:
  // height is the one cue that tells two shoppers apart when an orphan is handed to a lost track.
  const n = h.samples ?? 0;
  const rate = Math.max(HEIGHT_LEARNING_RATE, 1 / (n + 1));
  const shoulder = mean(shL?.X[2], shR?.X[2]);
  const valid = shoulder !== undefined && shoulder >= 0.6 && shoulder <= 1.8;
  if (valid) noteLately(track, shoulder);
  // Near someone the samples may be theirs: the fast mean starts again once the shopper is clear.
  if (track.near) track.recent = undefined;
  else if (valid) {
    const r = track.recent ?? { shoulder, n: 0 };
    r.shoulder += Math.max(RECENT_LEARNING_RATE, 1 / (r.n + 1)) * (shoulder - r.shoulder);
    r.n += 1;
    track.recent = r;
  }
  // Close to someone else, a sample may be theirs: the learned heights stay this shopper's (once there are some).
  if (track.near && n >= FREEZE_AFTER_SAMPLES) return;
  if (valid) h.samples = n + 1;
  h.hip = learn(h.hip, mean(hipL?.X[2], hipR?.X[2]), 0.4, 1.3, rate);
  h.shoulder = learn(h.shoulder, shoulder, 0.6, 1.8, rate);
  h.nose = learn(h.nose, nose?.X[2], 0.7, 2.1, rate);
}

/** Keeps the latest `LATELY_SAMPLES` shoulder heights, overwriting the oldest. */
function noteLately(track: Track, shoulder: number): void {
  const ring = track.lately;
  if (ring.heights.length < LATELY_SAMPLES) ring.heights.push(shoulder);
  else ring.heights[ring.next] = shoulder;
  ring.next = (ring.next + 1) % LATELY_SAMPLES;
}

/** One running-mean step towards a sample within [lo, hi] (others are ignored). */
function learn(current: number, sample: number | undefined, lo: number, hi: number, rate: number): number {
  return sample === undefined || sample < lo || sample > hi ? current : current + rate * (sample - current);
}

function mean(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (a + b) / 2;
}

/** The body centre on the floor: triangulated hips (or shoulders), else one camera's ray at the learned height. */
export function floorMeasurement(
  track: Track,
  cam: CameraModel,
  anchors: DetectionAnchors,
  hipL: Triangulated | undefined,
  hipR: Triangulated | undefined,
  shL: Triangulated | undefined,
  shR: Triangulated | undefined,
  config: VisionConfig,
): { x: number; y: number; sigma: number } | undefined {
  const hips = bodyPair(hipL, hipR, HIP_RANGE);
  if (hips) {
    hips.sigma = Math.max(TRIANGULATED_FLOOR_SIGMA, hips.sigma);
    return hips;
  }
  const shoulders = bodyPair(shL, shR, SHOULDER_RANGE);
  if (shoulders) {
    shoulders.sigma = Math.max(TRIANGULATED_FLOOR_SIGMA * 1.5, shoulders.sigma);
    return shoulders;
  }
  const h = track.heights;
  const single = singleViewFloorAt(cam, anchors, h.shoulder, h.hip, config.ankleHeight);
  return single ? { x: single.x, y: single.y, sigma: SINGLE_VIEW_FLOOR_SIGMA } : undefined;
}

/** Heights (m) a hip or shoulder of a standing or crouching shopper (child to tall adult) can have. */
const HIP_RANGE: readonly [number, number] = [0.35, 1.3];
const SHOULDER_RANGE: readonly [number, number] = [0.55, 1.85];
/** Left and right joints of a pair are never further apart than this (m) on the floor plane. */
const MAX_PAIR_SPREAD = 0.5;

/**
 * The floor point between a left and right joint, or undefined when either is missing or the pair is not a body:
 * a joint triangulated from nearly parallel rays or a mismatched keypoint lands metres off, often below the floor.
 */
function bodyPair(
  left: Triangulated | undefined,
  right: Triangulated | undefined,
  range: readonly [number, number],
): { x: number; y: number; sigma: number } | undefined {
  if (!left || !right) return undefined;
  const lo = range[0];
  const hi = range[1];
  const lx = left.X[0];
  const ly = left.X[1];
  const lz = left.X[2];
  const rx = right.X[0];
  const ry = right.X[1];
  const rz = right.X[2];
  if (lz < lo || lz > hi || rz < lo || rz > hi || Math.hypot(lx - rx, ly - ry) > MAX_PAIR_SPREAD) return undefined;
  return { x: (lx + rx) / 2, y: (ly + ry) / 2, sigma: (left.sigma + right.sigma) / 2 };
}

/** One camera's floor guess: hip, else ankle, else shoulder centre ray cut at that anchor's height. */
export function singleViewFloor(
  cam: CameraModel,
  anchors: DetectionAnchors,
  heights: readonly [shoulder: number, hip: number, ankle: number],
): { x: number; y: number } | undefined {
  return singleViewFloorAt(cam, anchors, heights[0], heights[1], heights[2]);
}

/** `singleViewFloor` with the heights as arguments (no array per call on the hot path). */
export function singleViewFloorAt(
  cam: CameraModel,
  anchors: DetectionAnchors,
  shoulder: number,
  hip: number,
  ankle: number,
): { x: number; y: number } | undefined {
  return (
    anchorFloor(cam, anchors, 2, hip) ?? anchorFloor(cam, anchors, 3, ankle) ?? anchorFloor(cam, anchors, 1, shoulder)
  );
}

function anchorFloor(cam: CameraModel, anchors: DetectionAnchors, i: number, h: number) {
  if (anchors.w[i] === 0) return undefined;
  const p = rayAtHeight(cam, anchors.px[i * 2]!, anchors.px[i * 2 + 1]!, h);
  return p ? { x: p[0], y: p[1] } : undefined;
}

const WRIST = [KP.left_wrist, KP.right_wrist] as const;
const ELBOW = [KP.left_elbow, KP.right_elbow] as const;

/**
 * A wrist in 3D: triangulated when two cameras saw it (and remembered as seen); else triangulated from the
 * detector's guesses where it could not see it (a hand inside a shelf, hidden by the shelf above), not remembered;
 * else on this camera's ray, near where two cameras last placed it or at the shoulder's depth; else, out of every
 * camera's sight, where two cameras last placed it while the elbow stays within a forearm of it.
 */
function wrist(
  track: Track,
  cam: CameraModel,
  det: Detection,
  views: readonly TimedView[],
  geometry: Float64Array,
  side: 0 | 1,
  ts: number,
  ctx: ObserveContext,
): { X: Vec3; sigma: number } | undefined {
  const { config } = ctx;
  const tri = robustTriangulate(views, geometry, WRIST[side], config);
  if (tri) {
    track.hands[side] = { X: tri.X, sigma: tri.sigma, t: ts };
    return tri;
  }
  const guessed = guessedWrist(track, views, geometry, side, ctx);
  if (guessed) return guessed;
  const held = heldWrist(track.hands[side], ts, config);
  const k = det.keypoints[WRIST[side]]!;
  if (k[2] >= config.minKeypointScore) {
    if (held)
      return { X: rayNearest(cam, k[0], k[1], held.X), sigma: Math.min(held.sigma, config.singleViewWristSigma) };
    return { X: rayNearest(cam, k[0], k[1], shoulderAt(track, side)), sigma: config.singleViewWristSigma };
  }
  if (!held) return undefined;
  const elbow = robustTriangulate(views, geometry, ELBOW[side], config);
  return elbow && distance(elbow.X, held.X) <= config.forearmM ? held : undefined;
}

/** Worse than this many times the guesses' noise, the guesses did not see one wrist. */
const GUESS_RESIDUAL_SIGMAS = 3;

/**
 * The wrist triangulated with the detector's guesses, when some view only guessed it, the guesses agree, and the
 * result lies on this shopper's arm: within a forearm of the elbow (seen or guessed) and two of the shoulder.
 */
function guessedWrist(
  track: Track,
  views: readonly TimedView[],
  geometry: Float64Array,
  side: 0 | 1,
  ctx: ObserveContext,
): Triangulated | undefined {
  const { config, guessed: noise } = ctx;
  const guessedSomewhere = views.some((v) => {
    const score = v.keypoints[WRIST[side]]![2];
    return score >= noise.minKeypointScore && score < config.minKeypointScore;
  });
  if (!guessedSomewhere) return undefined;
  const wrist = robustTriangulate(views, geometry, WRIST[side], noise);
  if (!wrist || wrist.rmsPx > GUESS_RESIDUAL_SIGMAS * noise.pixelSigma) return undefined;
  if (distance(wrist.X, shoulderAt(track, side)) > 2 * config.forearmM) return undefined;
  const elbow = robustTriangulate(views, geometry, ELBOW[side], noise);
  return elbow && distance(elbow.X, wrist.X) <= config.forearmM ? wrist : undefined;
}

/** The shoulder on this side, from its latest offset to the body centre, else above the centre. */
function shoulderAt(track: Track, side: 0 | 1): Vec3 {
  const offset = track.shoulders[side];
  return offset
    ? [track.kf.x + offset[0], track.kf.y + offset[1], offset[2]]
    : [track.kf.x, track.kf.y, track.heights.shoulder];
}

/** Where two cameras last placed a wrist, while recent (`heldWristMs`), its σ grown with the time since. */
function heldWrist(seen: SeenWrist | undefined, ts: number, config: VisionConfig) {
  if (!seen || ts - seen.t > config.heldWristMs) return undefined;
  const sigma = Math.max(seen.sigma, TRIANGULATED_FLOOR_SIGMA) + (config.heldWristGrowth * (ts - seen.t)) / 1000;
  return { X: seen.X, sigma };
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
