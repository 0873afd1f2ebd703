/**
 * Checks what the camera worker's keypoints are worth on a real visit: picks, per frame, the detections that agree
 * across cameras (the shopper), triangulates each joint, measures the cross-camera reprojection error, follows the
 * wrists in 3D and asks whether a hand was at the shelf when the weight stage saw an item leave it.
 * Pure: messages and store in, figures out (the I/O lives in visit-report.ts).
 */

import type { CameraPeoplePayload, Detection } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import type { Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import {
  type CameraModel,
  cameraModel,
  distanceToBox,
  project,
  type Triangulated,
  triangulate,
} from '../vision/geometry.ts';
import type { ShelfEvent } from '../weight/types.ts';

export interface FrameViews {
  frame: number;
  ts: number;
  /** Detections per camera id (pinhole pixels, as published). */
  byCamera: Map<string, Detection[]>;
}

/** Groups `cameras/<id>/people` payloads by frame number (all cameras share the decoder clock). */
export function groupFrames(messages: readonly { cameraId: string; payload: CameraPeoplePayload }[]): FrameViews[] {
  const frames = new Map<number, FrameViews>();
  for (const { cameraId, payload } of messages) {
    let f = frames.get(payload.frame);
    if (!f) {
      f = { frame: payload.frame, ts: payload.ts, byCamera: new Map() };
      frames.set(payload.frame, f);
    }
    f.byCamera.set(cameraId, payload.people);
  }
  return [...frames.values()].sort((a, b) => a.frame - b.frame);
}

export interface FusedFrame {
  frame: number;
  ts: number;
  /** The torso centre triangulated from the best-agreeing pair, when one was found. */
  torso?: Triangulated;
  /** Cameras whose detection was taken as the shopper. */
  cameras: string[];
  /** Per COCO joint: the triangulated point (≥2 views) or undefined. */
  joints: (Triangulated | undefined)[];
}

export interface FuseOptions {
  /** Keypoints below this score are not used. */
  minKeypointScore: number;
  /** Pixel gate: a view joins the shopper when its torso centre reprojects within this distance. */
  gatePx: number;
  /** Pixel sigma handed to the triangulation (weights only). */
  pixelSigma: number;
  /** Heights (m) a torso centre may have; anything else is a false match or a calibration problem. */
  torsoZ: [number, number];
}

export const DEFAULT_FUSE: FuseOptions = { minKeypointScore: 0.3, gatePx: 40, pixelSigma: 4, torsoZ: [0.4, 1.8] };

const TORSO = [KP.left_shoulder, KP.right_shoulder, KP.left_hip, KP.right_hip];

/** Mean of the confident torso keypoints: roughly the same body point from every camera. */
function torsoCentre(d: Detection, minScore: number): [number, number] | undefined {
  const pts = TORSO.map((i) => d.keypoints[i]!).filter((k) => k[2] >= minScore);
  if (pts.length < 2) return undefined;
  return [pts.reduce((s, k) => s + k[0], 0) / pts.length, pts.reduce((s, k) => s + k[1], 0) / pts.length];
}

interface Candidate {
  cam: CameraModel;
  det: Detection;
  centre: [number, number];
}

const noShift: Vec3 = [0, 0, 0];

function tri(views: Candidate[], pick: (c: Candidate) => [number, number], sigma: number): Triangulated | undefined {
  return triangulate(
    views.map((c) => {
      const [u, v] = pick(c);
      return { cam: c.cam, u, v, weight: 1, shift: noShift };
    }),
    sigma,
  );
}

/** A torso centre is plausible between knee and head height, in front of every camera that sees it. */
function plausible(t: Triangulated, views: Candidate[], torsoZ: [number, number]): boolean {
  const z = t.X[2];
  return z > torsoZ[0] && z < torsoZ[1] && views.every((c) => project(c.cam, ...t.X)[2] > 0);
}

/** The shopper in one frame: the best-agreeing pair of detections, then every other camera that agrees. */
export function fuseFrame(cams: Map<string, CameraModel>, f: FrameViews, o = DEFAULT_FUSE): FusedFrame {
  const candidates: Candidate[] = [];
  for (const [cameraId, people] of f.byCamera) {
    const cam = cams.get(cameraId);
    if (!cam) continue;
    for (const det of people) {
      const centre = torsoCentre(det, o.minKeypointScore);
      if (centre) candidates.push({ cam, det, centre });
    }
  }
  let best: { views: Candidate[]; t: Triangulated } | undefined;
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const pair = [candidates[i]!, candidates[j]!];
      if (pair[0]!.cam === pair[1]!.cam) continue;
      const t = tri(pair, (c) => c.centre, o.pixelSigma);
      if (!t || !plausible(t, pair, o.torsoZ) || t.rmsPx > o.gatePx / 2) continue;
      if (!best || t.rmsPx < best.t.rmsPx) best = { views: pair, t };
    }
  }
  const joints: (Triangulated | undefined)[] = new Array(17).fill(undefined);
  if (!best) return { frame: f.frame, ts: f.ts, cameras: [], joints };
  const torso = best.t;
  const views = [...best.views];
  for (const [, cam] of cams) {
    if (views.some((v) => v.cam === cam)) continue;
    const [u, v] = project(cam, ...best.t.X);
    const near = candidates
      .filter((c) => c.cam === cam)
      .map((c) => ({ c, d: Math.hypot(c.centre[0] - u, c.centre[1] - v) }))
      .sort((a, b) => a.d - b.d)[0];
    if (near && near.d <= o.gatePx) views.push(near.c);
  }
  for (let k = 0; k < 17; k++) {
    const seen = views.filter((c) => c.det.keypoints[k]![2] >= o.minKeypointScore);
    if (seen.length >= 2) joints[k] = tri(seen, (c) => [c.det.keypoints[k]![0], c.det.keypoints[k]![1]], o.pixelSigma);
  }
  return { frame: f.frame, ts: f.ts, torso, cameras: views.map((v) => v.cam.def.id), joints };
}

export function cameraModels(store: Store): Map<string, CameraModel> {
  return new Map([...store.cameras].map(([id, def]) => [id, cameraModel(def)]));
}

export interface HandCheck {
  eventId: string;
  shelfId: string;
  plateIds: string[];
  grams: number;
  tChange: number;
  /** Closest any wrist came to the event's plates' reach volume within the event window, metres (0 = inside). */
  nearestM: number | undefined;
  /** When that was, ms relative to tChange. */
  atMs: number | undefined;
  /** The shelf nearest to the hand at that moment. */
  nearestShelf: string | undefined;
  /** Frames with a triangulated wrist in the window. */
  wristFrames: number;
  verdict: 'at-shelf' | 'elsewhere' | 'not-seen';
}

/** Distance from p to the nearest plate reach box of a shelf. */
function shelfDistance(store: Store, shelfId: string, p: Vec3): number {
  let d = Number.POSITIVE_INFINITY;
  for (const info of store.plates.values())
    if (info.shelf.id === shelfId) d = Math.min(d, distanceToBox(p, info.reachBox));
  return d;
}

/**
 * For each weight event: did a triangulated wrist reach the event's plates between the touch starting and the shelf
 * settling (padded by `padMs`)? `atShelfM` is the tolerance for keypoint and calibration error.
 */
export function checkHands(
  store: Store,
  fused: readonly FusedFrame[],
  events: readonly ShelfEvent[],
  opts: { padMs: number; atShelfM: number } = { padMs: 1000, atShelfM: 0.2 },
): HandCheck[] {
  const shelves = [...new Set([...store.plates.values()].map((p) => p.shelf.id))];
  return events.map((e) => {
    let nearest: { d: number; t: number; p: Vec3 } | undefined;
    let wristFrames = 0;
    for (const f of fused) {
      if (f.ts < e.tStart - opts.padMs || f.ts > e.tSettled + opts.padMs) continue;
      const wrists = [f.joints[KP.left_wrist], f.joints[KP.right_wrist]].filter((w): w is Triangulated => !!w);
      if (wrists.length > 0) wristFrames++;
      for (const w of wrists) {
        const d = Math.min(...e.plateIds.map((id) => distanceToBox(w.X, store.plates.get(id)!.reachBox)));
        if (!nearest || d < nearest.d) nearest = { d, t: f.ts, p: w.X };
      }
    }
    const nearestShelf = nearest
      ? shelves.map((s) => ({ s, d: shelfDistance(store, s, nearest.p) })).sort((a, b) => a.d - b.d)[0]?.s
      : undefined;
    return {
      eventId: e.id,
      shelfId: e.shelfId,
      plateIds: e.plateIds,
      grams: e.grams,
      tChange: e.tChange,
      nearestM: nearest?.d,
      atMs: nearest ? nearest.t - e.tChange : undefined,
      nearestShelf,
      wristFrames,
      verdict: !nearest ? 'not-seen' : nearest.d <= opts.atShelfM ? 'at-shelf' : 'elsewhere',
    };
  });
}

/** Median and 90th percentile of a list (NaN when empty). */
export function quantiles(values: readonly number[]): { n: number; median: number; p90: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  return { n: s.length, median: at(0.5), p90: at(0.9) };
}
