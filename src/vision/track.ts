/**
 * One shopper's track: its floor filter, what each camera last saw of it, learned body heights, and a
 * bounded history of points (floor position and wrists) that hand queries and the live view read.
 */
import type { Box, Vec3 } from '../store/schema.ts';
import type { Side, SideFix } from './gates.ts';
import { distanceToBox } from './geometry.ts';
import { createFloorKalman, type FloorKalman } from './kalman.ts';
import type { HandEvidence, TrackPoint } from './types.ts';

/** What one camera last saw of a track: the frame time and the detection's keypoints. */
export interface CameraObservation {
  ts: number;
  keypoints: readonly (readonly [number, number, number])[];
}

/** A wrist triangulated at `t`, with its 1-σ (m). */
export interface SeenWrist {
  X: Vec3;
  sigma: number;
  t: number;
}

/** Heights (m) of body anchors, learned per shopper from triangulation (children are shorter). */
export interface BodyHeights {
  nose: number;
  shoulder: number;
  hip: number;
  /** Triangulated shoulder heights learned so far (the first ones are averaged, then a slow running mean). */
  samples?: number;
}

export interface Track {
  /** Creation serial: orders tracks deterministically before they have an id. */
  serial: number;
  /** `T<n>`, given when the track is confirmed. */
  id: string | undefined;
  state: 'tentative' | 'confirmed' | 'dead';
  kf: FloorKalman;
  bornT: number;
  bornX: number;
  bornY: number;
  lastSeenT: number;
  diedT: number | undefined;
  /** Died by walking out through a gate and not followed back in (followed a little longer, see `leaverFollowMs`). */
  left: boolean;
  hits: number;
  camerasSeen: Set<string>;
  heights: BodyHeights;
  observations: Map<string, CameraObservation>;
  /** Latest left/right shoulder, as offsets (dx, dy, z) from the body centre: the reference for one-camera wrists. */
  shoulders: [Vec3 | undefined, Vec3 | undefined];
  /** Each wrist where two cameras last placed it: where a hand gone out of sight into a shelf still is. */
  hands: [SeenWrist | undefined, SeenWrist | undefined];
  points: TrackPoint[];
  sides: Map<string, SideFix>;
  /**
   * Born away from the entry (an unexplained person inside a closed store): never gets an id of its own, it is
   * handed to a lost track instead (births.ts).
   */
  orphan: boolean;
  /**
   * Another shopper is within arm's reach: keypoints may be theirs, so the learned heights (this shopper's
   * identity cue) are frozen meanwhile (set by the stage before each update).
   */
  near?: boolean;
  /** Each other track seen within reach lately, and when last: only such a pair can have swapped shoppers. */
  contacts: Map<Track, number>;
  /** Fast running mean of the shoulder height seen lately, frozen or not: who this track is following now. */
  recent?: { shoulder: number; n: number };
  /** The latest shoulder heights seen, near others or not (a ring): who it follows where it is never clear. */
  lately: { heights: number[]; next: number };
  /** Another confirmed track on the same body (within `TWIN_METRES`), and since when. */
  twin?: { other: Track; since: number };
  /**
   * Set when this track was found following another's body (a twin that fits worse): it is lost from then on, its
   * shopper found again only through an orphan (births.ts), which clears it.
   */
  released?: boolean;
  /** Crossings seen while tentative, released (or dropped) at confirmation. */
  pending: { gateId: string; direction: Side; t: number }[];
}

/** A tentative track born at (x, y) at `ts`, its floor filter at position σ `sigma`. */
export function newTrack(
  serial: number,
  at: { x: number; y: number; ts: number; sigma: number },
  heights: BodyHeights,
  orphan: boolean,
): Track {
  return {
    serial,
    id: undefined,
    state: 'tentative',
    kf: createFloorKalman(at.x, at.y, at.ts, at.sigma),
    bornT: at.ts,
    bornX: at.x,
    bornY: at.y,
    lastSeenT: at.ts,
    diedT: undefined,
    left: false,
    orphan,
    hits: 0,
    camerasSeen: new Set(),
    heights: { ...heights },
    observations: new Map(),
    shoulders: [undefined, undefined],
    hands: [undefined, undefined],
    points: [],
    contacts: new Map(),
    lately: { heights: [], next: 0 },
    sides: new Map(),
    pending: [],
  };
}

/** Appends a point, keeping times non-decreasing and the history within `horizonMs` of the newest point. */
export function pushPoint(track: Track, point: TrackPoint, horizonMs: number): void {
  const last = track.points[track.points.length - 1];
  if (last && point.t < last.t) point = { ...point, t: last.t };
  track.points.push(point);
  const first = track.points[0]!;
  // Trim in chunks so the cost stays amortised O(1) per point.
  if (point.t - first.t > horizonMs * 1.25) {
    const cut = lowerBound(track.points, point.t - horizonMs);
    track.points.splice(0, cut);
  }
}

/** Index of the first point with t ≥ time. */
export function lowerBound(points: readonly TrackPoint[], time: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The latest point at or before t. */
export function pointAt(track: Track, t: number): TrackPoint | undefined {
  const i = lowerBound(track.points, t + 1e-9);
  return i > 0 ? track.points[i - 1] : undefined;
}

/** Closest approach of either wrist to a box in [t0, t1], or undefined when no wrist was seen then. */
export function closestApproach(track: Track, box: Box, t0: number, t1: number): HandEvidence | undefined {
  let best: HandEvidence | undefined;
  let left = false;
  let right = false;
  let insideMs = 0;
  let depth = 0;
  let armOut = 0;
  const reachSum: Vec3 = [0, 0, 0];
  let reachCount = 0;
  let reachSigmaSum = 0;
  let previous: number | undefined;
  let bodyDistance = Number.POSITIVE_INFINITY;
  for (let i = lowerBound(track.points, t0); i < track.points.length; i++) {
    const p = track.points[i]!;
    if (p.t > t1) break;
    bodyDistance = Math.min(bodyDistance, floorDistance(p.x, p.y, box));
    // The hand in the volume; with both in, the one further in (the other hangs at the body's side).
    let inHand: { wrist: Vec3; depth: number; out: number } | undefined;
    for (const side of SIDES) {
      const wrist = side === 0 ? p.leftWrist : p.rightWrist;
      if (!wrist) continue;
      const d = distanceToBox(wrist, box);
      best = closer(best, track, p, d);
      if (d > 0) continue;
      const k = depthIn(wrist, box);
      if (!inHand || k > inHand.depth) inHand = { wrist, depth: k, out: (side === 0 ? p.leftOut : p.rightOut) ?? 0 };
    }
    if (inHand) {
      depth = Math.max(depth, inHand.depth);
      armOut = Math.max(armOut, inHand.out);
      for (let k = 0; k < 3; k++) reachSum[k]! += inHand.wrist[k]!;
      reachSigmaSum += p.wristSigma;
      reachCount++;
      // Each inside reading counts for the time since the previous point, capped where the cameras lost the track.
      if (previous !== undefined) insideMs += Math.min(INSIDE_STEP_CAP_MS, p.t - previous);
    }
    previous = p.t;
    left ||= p.leftWrist !== undefined;
    right ||= p.rightWrist !== undefined;
  }
  if (!best) return undefined;
  const reach =
    reachCount > 0
      ? { reach: reachSum.map((v) => v / reachCount) as Vec3, reachSigma: reachSigmaSum / reachCount, armOut }
      : {};
  return { ...best, insideMs, depth, bodyDistance, ...reach, ...(left && right ? {} : { handHidden: true }) };
}

const INSIDE_STEP_CAP_MS = 200;

/** Distance on the floor from (x, y) to the box's footprint. */
function floorDistance(x: number, y: number, box: Box): number {
  const dx = x < box.min[0] ? box.min[0] - x : x > box.max[0] ? x - box.max[0] : 0;
  const dy = y < box.min[1] ? box.min[1] - y : y > box.max[1] ? y - box.max[1] : 0;
  return Math.hypot(dx, dy);
}
const SIDES = [0, 1] as const;

/** 0 on the box's side faces, 1 at its centre, on the floor plane (the nearer of the two axes decides). */
function depthIn(p: Vec3, box: Box): number {
  const share = (i: number) => {
    const half = (box.max[i]! - box.min[i]!) / 2;
    return half > 0 ? 1 - Math.abs(p[i]! - (box.min[i]! + half)) / half : 0;
  };
  return Math.min(share(0), share(1));
}

/** The evidence so far, or a wrist of point p at distance d when it is closer (the left wrist first on ties). */
function closer(best: HandEvidence | undefined, track: Track, p: TrackPoint, d: number): HandEvidence {
  // A wrist held where cameras last saw it keeps its place while its σ grows: the hand may have gone on.
  if (best && d > 0 && d === best.minDistance && p.wristSigma > (best.heldSigma ?? best.sigma))
    return { ...best, heldSigma: p.wristSigma };
  if (best && !(d < best.minDistance)) return best;
  return {
    trackId: track.id ?? '',
    minDistance: d,
    tClosest: p.t,
    entered: d === 0,
    sigma: p.wristSigma,
    insideMs: 0,
    depth: 0,
  };
}
