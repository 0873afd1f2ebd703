/**
 * Detection↔track cost in one camera frame: a few body anchors (head, shoulder centre, hip centre, ankle
 * centre) of the detection against the track's predicted anchors reprojected into that camera. The pixel
 * distance is turned into metres at the track's depth so one gate works for every camera and distance.
 */

import type { Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import type { VisionConfig } from './config.ts';
import type { CameraModel } from './geometry.ts';

/** Anchor order: nose, shoulder centre, hip centre, ankle centre. */
export const ANCHORS = 4;
const ANCHOR_WEIGHT = [0.5, 1, 1, 0.7];
const PAIRS: readonly (readonly [number, number])[] = [
  [KP.nose, KP.nose],
  [KP.left_shoulder, KP.right_shoulder],
  [KP.left_hip, KP.right_hip],
  [KP.left_ankle, KP.right_ankle],
];

/** A detection's anchors: pixel pairs and weights (0 = not seen). */
export interface DetectionAnchors {
  px: Float64Array;
  w: Float64Array;
}

export function detectionAnchors(det: Detection, minScore: number): DetectionAnchors {
  return detectionAnchorsInto(det, minScore, { px: new Float64Array(ANCHORS * 2), w: new Float64Array(ANCHORS) });
}

/** `detectionAnchors` written over `out` (reused frame after frame by the stage); returns `out`. */
export function detectionAnchorsInto(det: Detection, minScore: number, out: DetectionAnchors): DetectionAnchors {
  const { px, w } = out;
  px.fill(0);
  w.fill(0);
  for (let i = 0; i < ANCHORS; i++) {
    const pair = PAIRS[i]!;
    const ka = det.keypoints[pair[0]]!;
    const kb = det.keypoints[pair[1]]!;
    const sa = ka[2] >= minScore ? ka[2] : 0;
    const sb = kb[2] >= minScore ? kb[2] : 0;
    if (sa + sb === 0) continue;
    // Score-weighted midpoint: one side alone is only a few centimetres off the body's axis.
    px[i * 2] = (ka[0] * sa + kb[0] * sb) / (sa + sb);
    px[i * 2 + 1] = (ka[1] * sa + kb[1] * sb) / (sa + sb);
    w[i] = (ANCHOR_WEIGHT[i] ?? 1) * Math.max(sa, sb);
  }
  return out;
}

/** A track's anchors projected into one camera, with metres per pixel at its depth. */
export interface ProjectedAnchors {
  px: Float64Array;
  metresPerPixel: number;
}

/**
 * Projects a body standing at (x, y) with the given anchor heights; undefined when the body is behind the
 * camera or well outside its image (that camera cannot have seen it).
 */
export function projectAnchors(
  cam: CameraModel,
  x: number,
  y: number,
  heights: readonly [number, number, number, number],
): ProjectedAnchors | undefined {
  const px = new Float64Array(ANCHORS * 2);
  const metresPerPixel = projectAnchorsInto(cam, x, y, heights[0], heights[1], heights[2], heights[3], px, 0);
  return metresPerPixel < 0 ? undefined : { px, metresPerPixel };
}

/**
 * `projectAnchors` without allocation: writes the anchor pixels at `out[at..at+7]` and returns metres per pixel,
 * or −1 when that camera cannot have seen the body (behind it, or well outside its image).
 */
export function projectAnchorsInto(
  cam: CameraModel,
  x: number,
  y: number,
  nose: number,
  shoulder: number,
  hip: number,
  ankle: number,
  out: Float64Array,
  at: number,
): number {
  const mu = cam.width * 0.25;
  const mv = cam.height * 0.25;
  // project() per anchor, spelled out (same arithmetic): the floor terms are shared by the four heights.
  const P = cam.P;
  let inside = false;
  let depth = 0;
  for (let i = 0; i < ANCHORS; i++) {
    const z = i === 0 ? nose : i === 1 ? shoulder : i === 2 ? hip : ankle;
    const d = P[8]! * x + P[9]! * y + P[10]! * z + P[11]!;
    if (d <= 0.05) return -1;
    const u = (P[0]! * x + P[1]! * y + P[2]! * z + P[3]!) / d;
    const v = (P[4]! * x + P[5]! * y + P[6]! * z + P[7]!) / d;
    out[at + i * 2] = u;
    out[at + i * 2 + 1] = v;
    if (u > -mu && v > -mv && u < cam.width + mu && v < cam.height + mv) inside = true;
    if (i === 2) depth = d;
  }
  if (!inside) return -1;
  return depth / cam.focal;
}

/** Weighted mean anchor distance in metres, or Infinity when no anchor is shared. */
export function anchorCost(det: DetectionAnchors, track: ProjectedAnchors): number {
  return anchorCostAt(det, track.px, 0, track.metresPerPixel);
}

/** `anchorCost` against projected anchors stored at `px[at..at+7]`. */
export function anchorCostAt(det: DetectionAnchors, px: Float64Array, at: number, metresPerPixel: number): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < ANCHORS; i++) {
    const w = det.w[i]!;
    if (w === 0) continue;
    const du = det.px[i * 2]! - px[at + i * 2]!;
    const dv = det.px[i * 2 + 1]! - px[at + i * 2 + 1]!;
    sum += w * Math.sqrt(du * du + dv * dv);
    wsum += w;
  }
  return wsum > 0 ? (sum / wsum) * metresPerPixel : Number.POSITIVE_INFINITY;
}

/**
 * How far (m) a detection may be from a track predicted with 1-σ radius `sigma` and still match it: wider as the
 * track grows uncertain, capped for a lost track, and tighter for a tentative one, which has one or two sightings
 * and no velocity yet (a wide gate lets it jump to a neighbour, e.g. out to the queue at the scanner).
 */
export function matchGate(
  tentative: boolean,
  sigma: number,
  config: Pick<VisionConfig, 'gateMetres' | 'maxGateMetres' | 'tentativeGateMetres'>,
): number {
  const cap = tentative ? config.tentativeGateMetres : config.maxGateMetres;
  return Math.min(cap, config.gateMetres + 2 * sigma);
}

/**
 * The track that makes detection `i`'s match doubtful, or -1: one hardly dearer (under `margin` m) than the assigned
 * track, that no detection of the frame went to and that `seen` says other cameras still see. Two shoppers on one
 * line of sight, the far one hidden, look alike to that camera; feeding the detection to the wrong one pulls it onto
 * the other shopper. A track nobody sees is no rival: coasting on its last velocity it drifts onto bystanders.
 * `cost` is row-major (rows × cols).
 */
export function matchRival(
  cost: Float64Array,
  assigned: readonly number[],
  i: number,
  cols: number,
  margin: number,
  seen: (col: number) => boolean,
): number {
  const mine = cost[i * cols + assigned[i]!]!;
  for (let k = 0; k < cols; k++) {
    if (k === assigned[i] || cost[i * cols + k]! >= mine + margin) continue;
    if (!assigned.includes(k) && seen(k)) return k;
  }
  return -1;
}

type Keypoints = readonly (readonly [number, number, number])[];

/** Mean pixel distance between two detections' keypoints seen in both (score ≥ `minScore`); undefined if none. */
export function keypointDistance(a: Keypoints, b: Keypoints, minScore: number): number | undefined {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < a.length; k++) {
    const p = a[k]!;
    const q = b[k];
    if (!q || p[2] < minScore || q[2] < minScore) continue;
    sum += Math.hypot(p[0] - q[0], p[1] - q[1]);
    n += 1;
  }
  return n > 0 ? sum / n : undefined;
}
