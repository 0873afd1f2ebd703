/**
 * Folds one camera's detection into its track: triangulates joints with what the other cameras saw of the
 * same shopper moments before (motion-compensated, weighted by score and recency), falls back to one-camera
 * guesses, updates the floor filter and body heights, and records a history point with the wrists.
 */

import type { Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import type { Vec3 } from '../store/schema.ts';
import type { VisionConfig } from './config.ts';
import type { CameraModel, JointView, Triangulated } from './geometry.ts';
import { project, rayAtHeight, rayNearest, triangulate, widestRaySin } from './geometry.ts';
import type { KalmanTuning } from './kalman.ts';
import { predictAt, update } from './kalman.ts';
import type { DetectionAnchors } from './matching.ts';
import type { Track } from './track.ts';
import { pushPoint } from './track.ts';

export interface ObserveContext {
  cameras: ReadonlyMap<string, CameraModel>;
  config: VisionConfig;
  tuning: KalmanTuning;
}

const HEIGHT_LEARNING_RATE = 0.05;
/** Rate of the fast shoulder-height mean (about the last dozen samples, under a second of frames). */
const RECENT_LEARNING_RATE = 0.15;
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
  track.observations.set(cam.def.id, { ts, keypoints: det.keypoints });
  const views = gatherViews(track, ts, ctx);
  const geometry = viewGeometry(views, [track.kf.x, track.kf.y, 1]);
  const tri = (joint: number): Triangulated | undefined => robustTriangulate(views, geometry, joint, config);

  const hipL = tri(KP.left_hip);
  const hipR = tri(KP.right_hip);
  const shL = tri(KP.left_shoulder);
  const shR = tri(KP.right_shoulder);
  const nose = tri(KP.nose);
  learnHeights(track, hipL, hipR, shL, shR, nose);
  // Shoulders are kept relative to the body centre so they stay useful while the shopper walks.
  if (shL) track.shoulders[0] = [shL.X[0] - track.kf.x, shL.X[1] - track.kf.y, shL.X[2]];
  if (shR) track.shoulders[1] = [shR.X[0] - track.kf.x, shR.X[1] - track.kf.y, shR.X[2]];

  const floor = floorMeasurement(track, cam, anchors, hipL, hipR, shL, shR, config);
  if (floor && consistent(track, floor, ts, ctx.tuning))
    update(track.kf, floor.x, floor.y, floor.sigma ** 2, ts, ctx.tuning);
  track.lastSeenT = Math.max(track.lastSeenT, ts);
  if (!record) return;

  const left = wrist(track, cam, det, tri(KP.left_wrist), KP.left_wrist, 0, config);
  const right = wrist(track, cam, det, tri(KP.right_wrist), KP.right_wrist, 1, config);
  const sigmas = [left?.sigma, right?.sigma].filter((s): s is number => s !== undefined);
  pushPoint(
    track,
    {
      t: ts,
      x: track.kf.x,
      y: track.kf.y,
      ...(left ? { leftWrist: left.X } : {}),
      ...(right ? { rightWrist: right.X } : {}),
      wristSigma: sigmas.length > 0 ? Math.max(...sigmas) : config.singleViewWristSigma * 2,
    },
    config.historyMs,
  );
  track.hits += 1;
  track.camerasSeen.add(cam.def.id);
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

interface TimedView {
  cam: CameraModel;
  keypoints: readonly (readonly [number, number, number])[];
  weight: number;
  shift: Vec3;
}

/** Every camera's latest observation of this track close enough in time to the frame at ts. */
function gatherViews(track: Track, ts: number, ctx: ObserveContext): TimedView[] {
  const views: TimedView[] = [];
  const { vx, vy } = track.kf;
  for (const [cameraId, obs] of track.observations) {
    const age = ts - obs.ts;
    if (Math.abs(age) > ctx.config.viewWindowMs) continue;
    const cam = ctx.cameras.get(cameraId);
    if (!cam) continue;
    // The body moved v·age since that view: the view saw X − shift.
    views.push({
      cam,
      keypoints: obs.keypoints,
      weight: Math.exp(-Math.abs(age) / ctx.config.recencyMs),
      shift: [(vx * age) / 1000, (vy * age) / 1000, 0],
    });
  }
  // The freshest few views carry nearly all the information; more only cost time.
  if (views.length > ctx.config.maxViews) views.sort((a, b) => b.weight - a.weight).length = ctx.config.maxViews;
  return views;
}

/** Sines of the angles between every two views' rays to a point of the body (the same for all its joints). */
function viewGeometry(views: readonly TimedView[], ref: Vec3): Float64Array {
  const n = views.length;
  const sines = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = widestRaySin([views[i]!, views[j]!], ref);
      sines[i * n + j] = s;
      sines[j * n + i] = s;
    }
  }
  return sines;
}

/** The views in which a joint was seen, as triangulation input, and the widest ray angle among them. */
function jointViews(
  views: readonly TimedView[],
  geometry: Float64Array,
  joint: number,
  config: VisionConfig,
  skip = -1,
): { list: JointView[]; widestSin: number } {
  const list: JointView[] = [];
  const index: number[] = [];
  views.forEach((view, i) => {
    const k = view.keypoints[joint]!;
    if (k[2] < config.minKeypointScore || i === skip) return;
    list.push({ cam: view.cam, u: k[0], v: k[1], weight: view.weight * k[2], shift: view.shift });
    index.push(i);
  });
  let widestSin = 0;
  for (let a = 0; a < index.length; a++) {
    for (let b = a + 1; b < index.length; b++) {
      widestSin = Math.max(widestSin, geometry[index[a]! * views.length + index[b]!]!);
    }
  }
  return { list, widestSin };
}

/** Triangulates, then drops the single worst view when it disagrees badly (a swapped or misplaced keypoint). */
function robustTriangulate(
  views: readonly TimedView[],
  geometry: Float64Array,
  joint: number,
  config: VisionConfig,
): Triangulated | undefined {
  const { list, widestSin } = jointViews(views, geometry, joint, config);
  const first = triangulate(list, config.pixelSigma, { widestSin });
  if (!first || list.length < 3 || first.rmsPx < config.pixelSigma * 3) return first;
  let worst = -1;
  let worstErr = 0;
  const X = first.X;
  list.forEach((view, i) => {
    const [u, v] = project(view.cam, X[0] - view.shift[0], X[1] - view.shift[1], X[2] - view.shift[2]);
    const err = Math.hypot(u - view.u, v - view.v);
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
  });
  if (worstErr < config.pixelSigma * 5) return first;
  const worstView = views.findIndex((v) => v.cam === list[worst]!.cam);
  const retry = jointViews(views, geometry, joint, config, worstView);
  return triangulate(retry.list, config.pixelSigma, { widestSin: retry.widestSin }) ?? first;
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
  const learn = (current: number, sample: number | undefined, lo: number, hi: number): number =>
    sample === undefined || sample < lo || sample > hi ? current : current + rate * (sample - current);
  const shoulder = mean(shL?.X[2], shR?.X[2]);
  const valid = shoulder !== undefined && shoulder >= 0.6 && shoulder <= 1.8;
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
  h.hip = learn(h.hip, mean(hipL?.X[2], hipR?.X[2]), 0.4, 1.3);
  h.shoulder = learn(h.shoulder, shoulder, 0.6, 1.8);
  h.nose = learn(h.nose, nose?.X[2], 0.7, 2.1);
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
  if (hips) return { ...hips, sigma: Math.max(TRIANGULATED_FLOOR_SIGMA, hips.sigma) };
  const shoulders = bodyPair(shL, shR, SHOULDER_RANGE);
  if (shoulders) return { ...shoulders, sigma: Math.max(TRIANGULATED_FLOOR_SIGMA * 1.5, shoulders.sigma) };
  const single = singleViewFloor(cam, anchors, [track.heights.shoulder, track.heights.hip, config.ankleHeight]);
  return single ? { ...single, sigma: SINGLE_VIEW_FLOOR_SIGMA } : undefined;
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
  [lo, hi]: readonly [number, number],
): { x: number; y: number; sigma: number } | undefined {
  if (!left || !right) return undefined;
  const [lx, ly, lz] = left.X;
  const [rx, ry, rz] = right.X;
  if (lz < lo || lz > hi || rz < lo || rz > hi || Math.hypot(lx - rx, ly - ry) > MAX_PAIR_SPREAD) return undefined;
  return { x: (lx + rx) / 2, y: (ly + ry) / 2, sigma: (left.sigma + right.sigma) / 2 };
}

/** One camera's floor guess: hip, else ankle, else shoulder centre ray cut at that anchor's height. */
export function singleViewFloor(
  cam: CameraModel,
  anchors: DetectionAnchors,
  heights: readonly [shoulder: number, hip: number, ankle: number],
): { x: number; y: number } | undefined {
  const order: [anchor: number, height: number][] = [
    [2, heights[1]],
    [3, heights[2]],
    [1, heights[0]],
  ];
  for (const [i, h] of order) {
    if (anchors.w[i] === 0) continue;
    const p = rayAtHeight(cam, anchors.px[i * 2]!, anchors.px[i * 2 + 1]!, h);
    if (p) return { x: p[0], y: p[1] };
  }
  return undefined;
}

/** A wrist in 3D: triangulated when two cameras saw it, else on this camera's ray at the shoulder's depth. */
function wrist(
  track: Track,
  cam: CameraModel,
  det: Detection,
  tri: Triangulated | undefined,
  joint: number,
  side: 0 | 1,
  config: VisionConfig,
): { X: Vec3; sigma: number } | undefined {
  if (tri) return { X: tri.X, sigma: tri.sigma };
  const k = det.keypoints[joint]!;
  if (k[2] < config.minKeypointScore) return undefined;
  const offset = track.shoulders[side];
  const ref: Vec3 = offset
    ? [track.kf.x + offset[0], track.kf.y + offset[1], offset[2]]
    : [track.kf.x, track.kf.y, track.heights.shoulder];
  return { X: rayNearest(cam, k[0], k[1], ref), sigma: config.singleViewWristSigma };
}
