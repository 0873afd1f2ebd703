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
/** A lost shopper further than this (m) beyond where they could have walked is not the orphan. */
const MAX_EXCESS = 3;

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

/**
 * The lost track that best explains an orphan at (x, y) at time ts: among confirmed tracks unseen for at least
 * `lostAfterMs`, the one with the least distance beyond what it could have walked since, then the nearest.
 */
export function chooseLostTrack(
  tracks: readonly Track[],
  orphan: Track,
  ts: number,
  lostAfterMs: number,
): Track | undefined {
  let best: Track | undefined;
  let bestExcess = Number.POSITIVE_INFINITY;
  let bestD = Number.POSITIVE_INFINITY;
  for (const track of tracks) {
    if (track === orphan || track.state !== 'confirmed' || ts - track.lastSeenT < lostAfterMs) continue;
    const last = lastPosition(track);
    const d = Math.hypot(last.x - orphan.kf.x, last.y - orphan.kf.y);
    const reach = LOSS_SLACK + (MAX_WALK_SPEED * (ts - track.lastSeenT)) / 1000;
    const excess = Math.max(0, d - reach);
    if (excess > MAX_EXCESS) continue;
    if (excess < bestExcess - 1e-9 || (Math.abs(excess - bestExcess) <= 1e-9 && d < bestD)) {
      best = track;
      bestExcess = excess;
      bestD = d;
    }
  }
  return best;
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
  const lastT = lost.points[lost.points.length - 1]?.t ?? Number.NEGATIVE_INFINITY;
  for (const p of orphan.points) if (p.t >= lastT) lost.points.push(p);
}
