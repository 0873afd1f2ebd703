/**
 * Where tracks may start, and how a shopper the tracker lost is found again (closed store).
 *
 * Newcomers are born in the store's entry area or in the approach just outside an entry gate (the queue in
 * front of the scanner), so the real crossing of the gate line is seen. Anywhere else in the store an
 * unexplained person is an *orphan*: in a closed store nobody appears from nowhere, so once several cameras
 * agree on them the orphan is handed to the lost track (a confirmed track that stopped being seen) that could
 * most plausibly have walked there, and that track keeps its id. An orphan no lost track can explain never
 * gets an id.
 */
import type { GateDef, Vec2 } from '../store/schema.ts';
import { gateCoordinates } from './gates.ts';
import { insidePolygon } from './geometry.ts';
import type { Track } from './track.ts';

/** Slack (m) beyond a gate's ends where the approach still counts: queues are not perfectly straight. */
const APPROACH_SLACK = 0.3;
/** Walking speed (m/s) a lost shopper is assumed to keep at most, and the position slack (m) at loss. */
const MAX_WALK_SPEED = 1.6;
const LOSS_SLACK = 0.6;

/** True where a newcomer may be born: the entry area, or within `depth` metres outside an entry gate. */
export function inBirthZone(
  entryArea: readonly Vec2[],
  gates: readonly GateDef[],
  depth: number,
  x: number,
  y: number,
): boolean {
  if (insidePolygon(x, y, entryArea)) return true;
  return gates.some((gate) => {
    if (gate.kind === 'exit') return false;
    const { signed, along, length } = gateCoordinates(gate, x, y);
    return signed <= 0 && signed >= -depth && along >= -APPROACH_SLACK && along <= length + APPROACH_SLACK;
  });
}

/** Where a track was last seen: its newest history point, else its filter. */
function lastPosition(track: Track): { x: number; y: number } {
  const p = track.points[track.points.length - 1];
  return p ? { x: p.x, y: p.y } : { x: track.kf.x, y: track.kf.y };
}

/** Shoulder-height spread (m) between two sightings of the same shopper, and samples needed to trust a height. */
const HEIGHT_SIGMA = 0.05;
const HEIGHT_MIN_SAMPLES = 3;
/** Distance (m) that weighs as much as one height σ when two lost tracks could both have walked there. */
const DISTANCE_SCALE = 2;
/**
 * Time lost (s) that weighs as much as one height σ: a shopper lost long ago has likely left unseen (through a
 * blind corner by the exit) or was already found under another orphan, so the recently lost are preferred.
 */
const LOST_TIME_SCALE = 12;

/**
 * The lost track that best explains an orphan at time ts. Only confirmed tracks unseen for at least
 * `lostAfterMs` that could have walked to the orphan (distance ≤ slack + max walking speed × time lost) qualify;
 * among them the best fit of body height (when both heights are learned), distance and recency wins. Without appearance
 * features height is the one cue that tells two shoppers apart when both were lost in a blind spot.
 */
export function chooseLostTrack(
  tracks: readonly Track[],
  orphan: Track,
  ts: number,
  lostAfterMs: number,
): Track | undefined {
  let best: Track | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const track of tracks) {
    if (track === orphan || track.state !== 'confirmed' || ts - track.lastSeenT < lostAfterMs) continue;
    const last = lastPosition(track);
    const d = Math.hypot(last.x - orphan.kf.x, last.y - orphan.kf.y);
    const reach = LOSS_SLACK + (MAX_WALK_SPEED * (ts - track.lastSeenT)) / 1000;
    if (d > reach) continue;
    const lostFor = (ts - track.lastSeenT) / 1000;
    const score = (d / DISTANCE_SCALE) ** 2 + heightMismatch(track, orphan) ** 2 + (lostFor / LOST_TIME_SCALE) ** 2;
    if (score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && best && track.serial < best.serial)) {
      best = track;
      bestScore = score;
    }
  }
  return best;
}

/** Shoulder-height difference in σ, or 0 when either height is still the nominal guess. */
function heightMismatch(a: Track, b: Track): number {
  if ((a.heights.samples ?? 0) < HEIGHT_MIN_SAMPLES || (b.heights.samples ?? 0) < HEIGHT_MIN_SAMPLES) return 0;
  return (a.heights.shoulder - b.heights.shoulder) / HEIGHT_SIGMA;
}

/** The lost track takes over the orphan's filter, camera views, gate sides and history; it keeps its id and heights. */
export function adopt(lost: Track, orphan: Track): void {
  lost.kf = orphan.kf;
  lost.observations = orphan.observations;
  lost.sides = orphan.sides;
  lost.lastSeenT = Math.max(lost.lastSeenT, orphan.lastSeenT);
  lost.hits += orphan.hits;
  for (const id of orphan.camerasSeen) lost.camerasSeen.add(id);
  if (orphan.shoulders[0]) lost.shoulders[0] = orphan.shoulders[0];
  if (orphan.shoulders[1]) lost.shoulders[1] = orphan.shoulders[1];
  // The lost track's remembered wrists and latest heights are older than anything the orphan saw since.
  lost.hands = orphan.hands;
  lost.lately = orphan.lately;
  lost.released = undefined;
  const lastT = lost.points[lost.points.length - 1]?.t ?? Number.NEGATIVE_INFINITY;
  for (const p of orphan.points) if (p.t >= lastT) lost.points.push(p);
}
