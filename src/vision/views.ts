/**
 * The views one observation triangulates from: every camera's recent sighting of the track (weighted by recency,
 * the freshest few kept), the ray geometry between them, and robust per-joint DLT that drops the one view that
 * disagrees badly. Everything here is pooled scratch, valid for one observation only: this is the tracker's
 * hottest path, and it allocates nothing but the answers.
 */

import type { Vec3 } from '../store/schema.ts';
import type { VisionConfig } from './config.ts';
import type { CameraModel, JointView, Triangulated } from './geometry.ts';
import { crossSquared, DEFAULT_MIN_SIN, projectView, rayDirection, triangulateFirst } from './geometry.ts';
import type { ObserveContext } from './observe.ts';
import type { Track } from './track.ts';

export interface TimedView {
  cam: CameraModel;
  keypoints: readonly (readonly [number, number, number])[];
  weight: number;
}

/** Pooled views of one observation (observe is synchronous and never re-entered; nothing keeps them after it). */
const viewPool: TimedView[] = [];
const gathered: TimedView[] = [];

/**
 * Every camera's latest observation of this track close enough in time to the frame at ts: the freshest
 * `maxViews` of them, freshest first when there were more. The array and its views are scratch, valid until the
 * next observation. Older views are not moved along the track's velocity: a standing shopper's velocity is mostly
 * noise, and compensating by it dragged fixes along the noise onto a neighbour 0.4 m away, the velocity following
 * the fix (identities lost on convenience seeds 1–3 and hard 1: 22 → 11); recency weighting keeps a walker's
 * older views light.
 */
export function gatherViews(track: Track, ts: number, ctx: ObserveContext): TimedView[] {
  let count = 0;
  for (const [cameraId, obs] of track.observations) {
    const age = ts - obs.ts;
    if (Math.abs(age) > ctx.config.viewWindowMs) continue;
    const cam = ctx.cameras.get(cameraId);
    if (!cam) continue;
    let view = viewPool[count];
    if (!view) {
      view = { cam, keypoints: obs.keypoints, weight: 0 };
      viewPool.push(view);
    }
    view.cam = cam;
    view.keypoints = obs.keypoints;
    view.weight = Math.exp(-Math.abs(age) / ctx.config.recencyMs);
    count += 1;
  }
  // The freshest few views carry nearly all the information; more only cost time.
  const sorted = count > ctx.config.maxViews;
  if (sorted) sortByWeightDescending(viewPool, count);
  const keep = sorted ? ctx.config.maxViews : count;
  if (gathered.length !== keep) gathered.length = keep;
  for (let i = 0; i < keep; i++) gathered[i] = viewPool[i]!;
  return gathered;
}

/**
 * Stable insertion sort of the first `count` views, heaviest first: the order Array#sort (stable) gives with
 * `(a, b) => b.weight − a.weight`, without a comparator call per pair on a handful of views.
 */
function sortByWeightDescending(views: TimedView[], count: number): void {
  for (let i = 1; i < count; i++) {
    const view = views[i]!;
    let j = i - 1;
    while (j >= 0 && view.weight - views[j]!.weight > 0) {
      views[j + 1] = views[j]!;
      j -= 1;
    }
    views[j + 1] = view;
  }
}

/** Scratch pixel for `projectView` when looking for the worst view. */
const PIXEL = new Float64Array(2);
/** Ray directions of the views of one observation (reused: observe is synchronous and never re-entered). */
let rayScratch = new Float64Array(3 * 8);
/** Pairwise ray sines of the views of one observation (reused likewise). */
let sineScratch = new Float64Array(8 * 8);

/**
 * Sines of the angles between every two views' rays to the body at (x, y, 1 m) (the same for all its joints).
 * The returned array is scratch, valid until the next observation.
 */
export function viewGeometry(views: readonly TimedView[], x: number, y: number): Float64Array {
  const n = views.length;
  if (rayScratch.length < n * 3) rayScratch = new Float64Array(n * 3);
  if (sineScratch.length < n * n) sineScratch = new Float64Array(n * n);
  const ref: Vec3 = [x, y, 1];
  for (let i = 0; i < n; i++) rayDirection(views[i]!, ref, rayScratch, i * 3);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // As widestRaySin of the two views: the square root of their (only) cross product, bit for bit.
      const s = Math.sqrt(Math.max(0, crossSquared(rayScratch, i * 3, j * 3)));
      sineScratch[i * n + j] = s;
      sineScratch[j * n + i] = s;
    }
  }
  return sineScratch;
}

/** Which keypoints count as seen, and their pixel noise: the detector's confident keypoints, or also its guesses. */
export type KeypointNoise = Pick<VisionConfig, 'minKeypointScore' | 'pixelSigma'>;

/**
 * Pooled triangulation input for one joint: `jointViews` refills its first `jointCount` entries for each joint,
 * and triangulation only reads them during the call (its answer holds none of it).
 */
const jointList: JointView[] = [];
let jointCount = 0;
/** Index in `views` of each entry of `jointList`. */
let jointIndex = new Int32Array(8);

/**
 * Fills `jointList` with the views in which a joint was seen (but the one at `skip`), as triangulation input,
 * and returns the widest ray angle's sine among them.
 */
function jointViews(
  views: readonly TimedView[],
  geometry: Float64Array,
  joint: number,
  config: KeypointNoise,
  skip: number,
): number {
  let count = 0;
  if (jointIndex.length < views.length) jointIndex = new Int32Array(views.length * 2);
  for (let i = 0; i < views.length; i++) {
    const view = views[i]!;
    const k = view.keypoints[joint]!;
    if (k[2] < config.minKeypointScore || i === skip) continue;
    let jv = jointList[count];
    if (!jv) {
      jv = { cam: view.cam, u: 0, v: 0, weight: 0 };
      jointList.push(jv);
    }
    jv.cam = view.cam;
    jv.u = k[0];
    jv.v = k[1];
    jv.weight = view.weight * k[2];
    jointIndex[count] = i;
    count += 1;
  }
  jointCount = count;
  let widestSin = 0;
  const n = views.length;
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      widestSin = Math.max(widestSin, geometry[jointIndex[a]! * n + jointIndex[b]!]!);
    }
  }
  return widestSin;
}

/** Triangulates, then drops the single worst view when it disagrees badly (a swapped or misplaced keypoint). */
export function robustTriangulate(
  views: readonly TimedView[],
  geometry: Float64Array,
  joint: number,
  config: KeypointNoise,
): Triangulated | undefined {
  const widestSin = jointViews(views, geometry, joint, config, -1);
  const list = jointList;
  const count = jointCount;
  const first = triangulateFirst(list, count, config.pixelSigma, DEFAULT_MIN_SIN, widestSin);
  if (!first || count < 3 || first.rmsPx < config.pixelSigma * 3) return first;
  let worst = -1;
  let worstErr = 0;
  const X = first.X;
  for (let i = 0; i < count; i++) {
    const view = list[i]!;
    projectView(view, X, PIXEL);
    const err = Math.hypot(PIXEL[0]! - view.u, PIXEL[1]! - view.v);
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
  }
  if (worstErr < config.pixelSigma * 5) return first;
  const retryWidestSin = jointViews(views, geometry, joint, config, jointIndex[worst]!);
  return triangulateFirst(jointList, jointCount, config.pixelSigma, DEFAULT_MIN_SIN, retryWidestSin) ?? first;
}
