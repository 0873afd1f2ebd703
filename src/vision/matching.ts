/**
 * Detection↔track cost in one camera frame: a few body anchors (head, shoulder centre, hip centre, ankle
 * centre) of the detection against the track's predicted anchors reprojected into that camera. The pixel
 * distance is turned into metres at the track's depth so one gate works for every camera and distance.
 */

import type { Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import type { VisionConfig } from './config.ts';
import type { CameraModel } from './geometry.ts';
import { project } from './geometry.ts';

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
  const px = new Float64Array(ANCHORS * 2);
  const w = new Float64Array(ANCHORS);
  PAIRS.forEach(([a, b], i) => {
    const ka = det.keypoints[a]!;
    const kb = det.keypoints[b]!;
    const sa = ka[2] >= minScore ? ka[2] : 0;
    const sb = kb[2] >= minScore ? kb[2] : 0;
    if (sa + sb === 0) return;
    // Score-weighted midpoint: one side alone is only a few centimetres off the body's axis.
    px[i * 2] = (ka[0] * sa + kb[0] * sb) / (sa + sb);
    px[i * 2 + 1] = (ka[1] * sa + kb[1] * sb) / (sa + sb);
    w[i] = (ANCHOR_WEIGHT[i] ?? 1) * Math.max(sa, sb);
  });
  return { px, w };
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
  let depth = 0;
  let inside = false;
  const mu = cam.width * 0.25;
  const mv = cam.height * 0.25;
  for (let i = 0; i < ANCHORS; i++) {
    const [u, v, d] = project(cam, x, y, heights[i]!);
    if (d <= 0.05) return undefined;
    px[i * 2] = u;
    px[i * 2 + 1] = v;
    if (u > -mu && v > -mv && u < cam.width + mu && v < cam.height + mv) inside = true;
    if (i === 2) depth = d;
  }
  if (!inside) return undefined;
  return { px, metresPerPixel: depth / cam.focal };
}

/** Weighted mean anchor distance in metres, or Infinity when no anchor is shared. */
export function anchorCost(det: DetectionAnchors, track: ProjectedAnchors): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < ANCHORS; i++) {
    const w = det.w[i]!;
    if (w === 0) continue;
    const du = det.px[i * 2]! - track.px[i * 2]!;
    const dv = det.px[i * 2 + 1]! - track.px[i * 2 + 1]!;
    sum += w * Math.sqrt(du * du + dv * dv);
    wsum += w;
  }
  return wsum > 0 ? (sum / wsum) * track.metresPerPixel : Number.POSITIVE_INFINITY;
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
