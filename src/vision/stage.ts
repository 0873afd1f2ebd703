/**
 * The vision stage: multi-camera 3D tracking of shoppers from pose detections, event-time driven.
 * Each camera frame is matched to the tracks predicted to that frame's own timestamp (Hungarian on
 * reprojection distance), matched tracks are updated from all cameras' recent views, newcomers are born
 * only in the entry area, and gate-line crossings are queued for `advance`. Pure and deterministic: no I/O.
 */

import type { DeviceMessage } from '../protocol/messages.ts';
import type { Box, GateDef } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { adopt, chooseLostTrack, inBirthZone } from './births.ts';
import { DEFAULT_VISION_CONFIG, type VisionConfig } from './config.ts';
import { type GateFrame, gateFrame, stepGates } from './gates.ts';
import { type CameraModel, cameraModel, distanceToSegment, insidePolygon, project } from './geometry.ts';
import { assignMatrix } from './hungarian.ts';
import { damp, type KalmanTuning, predict, predictAt } from './kalman.ts';
import {
  ANCHORS,
  anchorCostAt,
  type DetectionAnchors,
  detectionAnchorsInto,
  keypointDistance,
  matchGate,
  matchRival,
  projectAnchorsInto,
} from './matching.ts';
import { type ObserveContext, observe, singleViewFloorAt } from './observe.ts';
import { markNear, resolveSwaps, strayTwins } from './swaps.ts';
import { closestApproach, newTrack, pointAt, type Track } from './track.ts';
import type { GateCrossing, HandEvidence, TrackPoint, TrackQuery } from './types.ts';

/**
 * A track some camera saw this recently (ms) is being watched, so a detection it could own is in doubt; a camera's
 * view this recent says where that camera last saw it.
 */
const RIVAL_SEEN_MS = 250;

export type { VisionConfig } from './config.ts';

type CameraFrame = Extract<DeviceMessage, { kind: 'camera.people' }>;

export interface VisionStage extends TrackQuery {
  /** One camera frame; messages arrive roughly in ts order across cameras. */
  onFrame(msg: CameraFrame): void;
  /** Advance event time to t; returns gate-line crossings detected up to t, oldest first. */
  advance(t: number): GateCrossing[];
  flush(): GateCrossing[];
  /** Cameras that have sent no frame for longer than the timeout at t (also for a recent past t). */
  offlineCameras(t: number): string[];
  /** Tracks standing outside now (on the outer side of a gate line, e.g. queuing at the scanner): not inside yet. */
  outsideTracks(): Set<string>;
  /** The number the next confirmed track is named by (`T<n>`): a journal epoch carries it on. */
  nextTrackNumber(): number;
}

/** `firstTrack`: the number the first track is named by (after a journal epoch, where the last run left off). */
export function createVisionStage(store: Store, config: Partial<VisionConfig> = {}, firstTrack = 1): VisionStage {
  return new Tracker(store, { ...DEFAULT_VISION_CONFIG, ...config }, firstTrack);
}

class Tracker implements VisionStage {
  private readonly cameras = new Map<string, CameraModel>();
  private readonly tracks: Track[] = [];
  private readonly crossings: GateCrossing[] = [];
  /** Per camera: the latest frame time, and past silences longer than the timeout ([from, to) of offline). */
  private readonly heard = new Map<string, { last: number; gaps: [number, number][] }>();
  private readonly tuning: KalmanTuning;
  private readonly ctx: ObserveContext;
  private readonly gates: GateDef[];
  private readonly gateFrames: GateFrame[];
  private serial = 0;
  private firstT: number | undefined;
  /** Matching scratch, reused frame after frame: candidate tracks, their gates, projected anchors and metres/pixel. */
  private readonly candTracks: Track[] = [];
  private candGates = new Float64Array(16);
  private candScale = new Float64Array(16);
  private candPx = new Float64Array(16 * ANCHORS * 2);
  private costScratch = new Float64Array(64);
  private unmatchedScratch = new Float64Array(16);
  /** One frame's detection anchors, reused (nothing keeps them past the frame). */
  private readonly anchorPool: DetectionAnchors[] = [];

  constructor(
    private readonly store: Store,
    private readonly config: VisionConfig,
    private nextId: number,
  ) {
    for (const camera of store.def.cameras) this.cameras.set(camera.id, cameraModel(camera));
    this.tuning = { accelNoise: config.accelNoise, maxPositionVar: config.maxPositionSigma ** 2 };
    this.ctx = {
      cameras: this.cameras,
      config,
      tuning: this.tuning,
      guessed: { minKeypointScore: config.guessedKeypointScore, pixelSigma: config.guessedPixelSigma },
    };
    this.gates = store.def.gates;
    this.gateFrames = this.gates.map(gateFrame);
  }

  onFrame(msg: CameraFrame): void {
    this.firstT ??= msg.ts;
    const cam = this.cameras.get(msg.cameraId);
    if (!cam) return;
    const ts = msg.ts;
    this.hear(msg.cameraId, ts);
    const live: Track[] = [];
    for (const t of this.tracks) if (this.followed(t, ts) && !this.lost(t, ts)) live.push(t);
    const people = msg.people;
    const anchors: DetectionAnchors[] = [];
    for (let i = 0; i < people.length; i++) {
      let pooled = this.anchorPool[i];
      if (!pooled) {
        pooled = { px: new Float64Array(ANCHORS * 2), w: new Float64Array(ANCHORS) };
        this.anchorPool.push(pooled);
      }
      anchors.push(detectionAnchorsInto(people[i]!, this.config.minKeypointScore, pooled));
    }
    const matches = this.match(cam, ts, live, anchors, people);
    const matchedTracks: Track[] = [];
    for (const t of matches) if (t !== undefined && t !== 'ambiguous') matchedTracks.push(t);
    markNear(matchedTracks, live);
    const matched = new Set<Track>();
    for (let i = 0; i < people.length; i++) {
      const det = people[i]!;
      const track = matches[i];
      if (track === 'ambiguous') continue;
      if (track?.state === 'dead') {
        observe(track, cam, det, anchors[i]!, ts, this.ctx, false);
        matched.add(track);
        this.followLeaver(track, ts);
      } else if (track) {
        observe(track, cam, det, anchors[i]!, ts, this.ctx);
        matched.add(track);
        this.afterUpdate(track, ts);
      } else if (det.score >= this.config.minDetectionScore) {
        this.maybeBirth(cam, det, anchors[i]!, ts, matchedTracks);
      }
    }
    for (const track of live) if (!matched.has(track)) this.coast(track, ts);
    if (matched.size > 1) resolveSwaps([...matched]);
    for (const { track, since } of strayTwins(matched, ts)) release(track, since);
  }

  /** Records a frame; a silence longer than the timeout before it becomes an offline window in the history. */
  private hear(cameraId: string, ts: number): void {
    const h = this.heard.get(cameraId) ?? { last: this.firstT ?? ts, gaps: [] };
    const timeout = this.config.cameraOfflineMs;
    if (ts - h.last > timeout) h.gaps.push([h.last + timeout, ts]);
    h.last = Math.max(h.last, ts);
    while (h.gaps.length > 0 && ts - h.gaps[0]![1] > this.config.historyMs) h.gaps.shift();
    this.heard.set(cameraId, h);
  }

  /** Live tracks, and leavers still followed outside the gate. */
  private followed(track: Track, ts: number): boolean {
    if (track.state !== 'dead') return true;
    return track.left && ts - (track.diedT ?? ts) < this.config.leaverFollowMs;
  }

  /** A confirmed track unseen for a while: only found again through an orphan (births.ts). */
  private lost(track: Track, ts: number): boolean {
    return track.state === 'confirmed' && (track.released === true || ts - track.lastSeenT > this.config.lostAfterMs);
  }

  /** Hungarian assignment of this frame's detections to tracks, gated in metres. */
  private match(
    cam: CameraModel,
    ts: number,
    live: Track[],
    anchors: DetectionAnchors[],
    people: CameraFrame['people'],
  ): (Track | 'ambiguous' | undefined)[] {
    // No detection: nothing can match, whatever the tracks project to.
    if (anchors.length === 0) return [];
    this.reserveCandidates(live.length);
    // Entries past `cols` are stale leftovers of earlier frames.
    const tracks = this.candTracks;
    const ankle = this.config.ankleHeight;
    let cols = 0;
    for (const track of live) {
      const p = predictAt(track.kf, ts, this.tuning);
      const h = track.heights;
      const scale = projectAnchorsInto(
        cam,
        p.x,
        p.y,
        h.nose,
        h.shoulder,
        h.hip,
        ankle,
        this.candPx,
        cols * ANCHORS * 2,
      );
      if (scale < 0) continue;
      tracks[cols] = track;
      this.candGates[cols] = matchGate(track.state === 'tentative', p.sigma, this.config);
      this.candScale[cols] = scale;
      cols += 1;
    }
    const rows = anchors.length;
    if (cols === 0 || rows === 0) return new Array<Track | undefined>(rows).fill(undefined);
    if (this.costScratch.length < rows * cols) this.costScratch = new Float64Array(rows * cols * 2);
    const cost = this.costScratch;
    if (this.unmatchedScratch.length < rows) this.unmatchedScratch = new Float64Array(rows * 2);
    const unmatched = this.unmatchedScratch;
    for (let i = 0; i < rows; i++) {
      const a = anchors[i]!;
      // Leaving a detection unmatched costs its widest gate: any one legal pair beats it, a chain shift does not.
      unmatched[i] = 0;
      for (let j = 0; j < cols; j++) {
        const d = anchorCostAt(a, this.candPx, j * ANCHORS * 2, this.candScale[j]!);
        const legal = d < this.candGates[j]!;
        if (legal) unmatched[i] = Math.max(unmatched[i]!, this.candGates[j]!);
        // Confirmed tracks are preferred over tentative ones at equal distance.
        cost[i * cols + j] = legal ? d + (tracks[j]!.state === 'tentative' ? 0.05 : 0) : Number.POSITIVE_INFINITY;
      }
    }
    const assigned = assignMatrix(cost, rows, cols, Number.POSITIVE_INFINITY, unmatched);
    const seen = (k: number) => ts - tracks[k]!.lastSeenT <= RIVAL_SEEN_MS;
    const out: (Track | 'ambiguous' | undefined)[] = new Array<Track | 'ambiguous' | undefined>(rows);
    for (let i = 0; i < rows; i++) {
      const j = assigned[i]!;
      const rival = j < 0 ? -1 : matchRival(cost, assigned, i, cols, this.config.ambiguousMatchMetres, seen);
      if (rival >= 0) assigned[i] = this.continuing(cam, people[i]!, ts, j, rival);
      out[i] = assigned[i]! >= 0 ? tracks[assigned[i]!] : j >= 0 ? 'ambiguous' : undefined;
    }
    return out;
  }

  /**
   * Of two tracks one detection fits alike, the one whose latest view in this camera (within `RIVAL_SEEN_MS`) lies
   * where the detection is: a camera follows a person from frame to frame even where depth cannot tell two apart.
   * -1 (skip the detection) when neither was seen here lately.
   */
  private continuing(cam: CameraModel, det: CameraFrame['people'][number], ts: number, j: number, k: number): number {
    const distance = (col: number) => {
      const view = this.candTracks[col]!.observations.get(cam.def.id);
      if (!view || ts - view.ts > RIVAL_SEEN_MS) return Number.POSITIVE_INFINITY;
      return keypointDistance(det.keypoints, view.keypoints, this.config.minKeypointScore) ?? Number.POSITIVE_INFINITY;
    };
    const dj = distance(j);
    const dk = distance(k);
    if (!Number.isFinite(dj) && !Number.isFinite(dk)) return -1;
    return dj <= dk ? j : k;
  }

  /** Grows the matching scratch to hold n candidate tracks. */
  private reserveCandidates(n: number): void {
    if (this.candGates.length >= n) return;
    const size = n * 2;
    this.candGates = new Float64Array(size);
    this.candScale = new Float64Array(size);
    this.candPx = new Float64Array(size * ANCHORS * 2);
  }

  /**
   * Unmatched detection away from everyone tracked: a newcomer in the entry area or the approach to an entry
   * gate, else (inside the store) an orphan that a lost track may take over.
   */
  private maybeBirth(
    cam: CameraModel,
    det: CameraFrame['people'][number],
    anchors: DetectionAnchors,
    ts: number,
    seenNow: readonly Track[],
  ) {
    const h = this.config.nominalHeights;
    const floor = singleViewFloorAt(cam, anchors, h.shoulder, h.hip, this.config.ankleHeight);
    if (!floor) return;
    const { def } = this.store;
    const newcomer = inBirthZone(def.floor.entryArea, this.gates, this.config.approachDepth, floor.x, floor.y);
    if (!newcomer && !insidePolygon(floor.x, floor.y, def.floor.outline)) return;
    for (const track of this.tracks) {
      if (!this.followed(track, ts) || this.lost(track, ts)) continue;
      // This camera saw that track elsewhere in this frame: a second person close behind it (a queue at the scanner).
      if (newcomer && seenNow.includes(track)) continue;
      const p = predictAt(track.kf, ts, this.tuning);
      if (Math.hypot(p.x - floor.x, p.y - floor.y) < this.config.birthSeparation) return;
    }
    const track = newTrack(this.serial++, { x: floor.x, y: floor.y, ts, sigma: 0.3 }, h, !newcomer);
    this.tracks.push(track);
    observe(track, cam, det, anchors, ts, this.ctx);
    this.afterUpdate(track, ts);
  }

  /** A live track no detection of this frame matched: after a while unseen, its velocity fades. */
  private coast(track: Track, ts: number): void {
    if (ts - track.lastSeenT < this.config.coastAfterMs || ts <= track.kf.t) return;
    const dt = ts - track.kf.t;
    predict(track.kf, ts, this.tuning);
    damp(track.kf, Math.exp(-dt / this.config.coastTauMs));
  }

  /** The gates a track crossed with its latest move (its sides updated). */
  private stepGates(track: Track) {
    return stepGates(this.gateFrames, track.sides, track.kf.x, track.kf.y, {
      hysteresis: this.config.gateHysteresis,
      reach: this.config.gateReach,
      cornerSlack: 0.3,
    });
  }

  /**
   * A leaver is followed outside so their detections start nobody new; whoever that track then follows in through
   * an entry gate is someone entering (often the next shopper in the queue at the scanner, whom the leaver passed):
   * the follow ends and a newcomer starts there, with the crossing, to be bound to the scan like any other.
   */
  private followLeaver(leaver: Track, ts: number): void {
    const inward = this.stepGates(leaver).find(
      (c) => c.direction === 'in' && this.gates.find((g) => g.id === c.gateId)?.kind !== 'exit',
    );
    if (!inward) return;
    leaver.left = false;
    const at = { x: leaver.kf.x, y: leaver.kf.y, ts, sigma: 0.3 };
    const newcomer = newTrack(this.serial++, at, this.config.nominalHeights, false);
    newcomer.sides = new Map(leaver.sides);
    newcomer.pending.push({ ...inward, t: ts });
    this.tracks.push(newcomer);
  }

  /** Gate sides, confirmation and exits after a track moved. */
  private afterUpdate(track: Track, ts: number): void {
    const crossed = this.stepGates(track);
    if (track.state === 'tentative') {
      for (const c of crossed) track.pending.push({ ...c, t: ts });
      if (track.orphan) this.maybeAdopt(track, ts);
      else if (track.hits >= this.config.confirmHits && (track.camerasSeen.size >= 2 || ts - track.bornT >= 300)) {
        this.confirm(track);
      }
      return;
    }
    for (const c of crossed) this.emit(track, c.gateId, c.direction, ts);
  }

  /** An orphan seen well enough is handed to the lost track that explains it best; it then disappears. */
  private maybeAdopt(orphan: Track, ts: number): void {
    const c = this.config;
    if (orphan.hits < c.orphanConfirmHits || orphan.camerasSeen.size < 2 || ts - orphan.bornT < c.orphanMinAgeMs)
      return;
    const lost = chooseLostTrack(this.tracks, orphan, ts, c.adoptAfterMs);
    if (!lost) {
      // Nobody lost could have walked there (their tracks were handed on, or the shopper was never tracked):
      // a shopper the cameras keep seeing is better tracked under a new id than not at all. No entry crossing.
      if (ts - orphan.bornT >= c.orphanPromoteMs) this.confirm(orphan);
      return;
    }
    adopt(lost, orphan);
    this.tracks.splice(this.tracks.indexOf(orphan), 1);
    for (const p of orphan.pending) if (lost.state === 'confirmed') this.emit(lost, p.gateId, p.direction, p.t);
  }

  private confirm(track: Track): void {
    track.state = 'confirmed';
    track.id = `T${this.nextId++}`;
    // An "out" before any "in" is no shopper leaving: nobody tracked came in (a tentative track that jumped out
    // to the queue at the scanner). Passing it on would close nothing and turn the newcomer into a leaver.
    const firstIn = track.pending.findIndex((c) => c.direction === 'in');
    const pending = track.pending
      .splice(0)
      .filter((c, i) => track.orphan || c.direction === 'in' || (firstIn >= 0 && i > firstIn));
    // Born inside and never seen outside: it came in through the nearest entry gate just now.
    const seenOutside = pending.length > 0 || [...track.sides.values()].some((s) => s.side === 'out');
    if (!seenOutside && !track.orphan) {
      const gate = this.nearestEntryGate(track.bornX, track.bornY);
      if (gate) this.emit(track, gate.id, 'in', track.bornT);
    }
    for (const c of pending) if (track.state === 'confirmed') this.emit(track, c.gateId, c.direction, c.t);
  }

  private nearestEntryGate(x: number, y: number): GateDef | undefined {
    let best: GateDef | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const gate of this.gates) {
      if (gate.kind === 'exit') continue;
      const d = distanceToSegment(x, y, gate.line[0], gate.line[1]);
      if (d < bestD) {
        bestD = d;
        best = gate;
      }
    }
    return best;
  }

  private emit(track: Track, gateId: string, direction: 'in' | 'out', t: number): void {
    this.crossings.push({ trackId: track.id!, gateId, direction, t });
    if (direction === 'out') {
      track.state = 'dead';
      track.diedT = t;
      track.left = true;
    }
  }

  advance(t: number): GateCrossing[] {
    this.firstT ??= t;
    for (const track of this.tracks) {
      if (track.state === 'dead') continue;
      const limit = track.state === 'tentative' ? this.config.tentativeUnseenMs : this.config.maxUnseenMs;
      if (t - track.lastSeenT > limit) {
        track.state = 'dead';
        track.diedT = t;
      }
    }
    this.forget(t);
    return this.takeCrossings(t);
  }

  flush(): GateCrossing[] {
    return this.takeCrossings(Number.POSITIVE_INFINITY);
  }

  private takeCrossings(t: number): GateCrossing[] {
    const due = this.crossings.filter((c) => c.t <= t);
    if (due.length === 0) return [];
    const rest = this.crossings.filter((c) => c.t > t);
    this.crossings.splice(0, this.crossings.length, ...rest);
    return due.sort((a, b) => a.t - b.t || a.trackId.localeCompare(b.trackId, 'en', { numeric: true }));
  }

  /** Drops dead tracks past retention (and tentative ones at once). */
  private forget(t: number): void {
    for (let i = this.tracks.length - 1; i >= 0; i--) {
      const track = this.tracks[i]!;
      if (track.state !== 'dead') continue;
      if (track.id === undefined || t - (track.diedT ?? t) > this.config.deadRetentionMs) this.tracks.splice(i, 1);
    }
  }

  offlineCameras(t: number): string[] {
    const start = this.firstT ?? t;
    return this.store.def.cameras
      .filter((c) => {
        const h = this.heard.get(c.id);
        if (!h) return t - start > this.config.cameraOfflineMs;
        if (t - h.last > this.config.cameraOfflineMs) return true;
        // An earlier time: was it inside a silence we have already seen end?
        return h.gaps.some(([from, to]) => t > from && t < to);
      })
      .map((c) => c.id);
  }

  nextTrackNumber(): number {
    return this.nextId;
  }

  outsideTracks(): Set<string> {
    const out = new Set<string>();
    for (const track of this.tracks) {
      if (track.id !== undefined && [...track.sides.values()].some((s) => s.side === 'out')) out.add(track.id);
    }
    return out;
  }

  activeTracks(t: number): { trackId: string; point: TrackPoint }[] {
    const out: { trackId: string; point: TrackPoint }[] = [];
    for (const track of this.tracks) {
      if (track.id === undefined || track.bornT > t) continue;
      if (track.diedT !== undefined && track.diedT <= t) continue;
      const point = pointAt(track, t);
      // A track unseen for a while is still alive, but where it was is no longer where the shopper is.
      if (point && t - point.t <= this.config.reportLostMs) out.push({ trackId: track.id, point });
    }
    return out;
  }

  handsNear(box: Box, t0: number, t1: number, radius: number): HandEvidence[] {
    const out: HandEvidence[] = [];
    for (const track of this.tracks) {
      if (track.id === undefined) continue;
      const evidence = closestApproach(track, box, t0, t1);
      if (evidence && evidence.minDistance <= radius) out.push(evidence);
    }
    return out.sort((a, b) => a.minDistance - b.minDistance || a.trackId.localeCompare(b.trackId));
  }

  camerasDegraded(box: Box, t: number): boolean {
    const offline = this.offlineCameras(t);
    return offline.some((id) => {
      const cam = this.cameras.get(id);
      return cam !== undefined && coversBox(cam, box);
    });
  }
}

/** True when any corner or the centre of the box is in front of the camera and inside its image. */
function coversBox(cam: CameraModel, box: Box): boolean {
  const xs = [box.min[0], box.max[0]];
  const ys = [box.min[1], box.max[1]];
  const zs = [box.min[2], box.max[2]];
  const points: [number, number, number][] = [[(xs[0]! + xs[1]!) / 2, (ys[0]! + ys[1]!) / 2, (zs[0]! + zs[1]!) / 2]];
  for (const x of xs) for (const y of ys) for (const z of zs) points.push([x, y, z]);
  return points.some(([x, y, z]) => {
    const [u, v, d] = project(cam, x, y, z);
    return d > 0 && u >= 0 && v >= 0 && u < cam.width && v < cam.height;
  });
}

/**
 * A track found on another's body is lost from the moment they met: what it saw since was the other shopper, so its
 * own shopper was last seen then, and an orphan born where they went can take the track back (births.ts).
 */
function release(track: Track, since: number): void {
  track.released = true;
  track.lastSeenT = Math.min(track.lastSeenT, since);
  track.twin = undefined;
}
