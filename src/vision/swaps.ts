/**
 * Identity between close shoppers. Two people walking together (a family) or brushing past each other are
 * 0.5–0.7 m apart: a few frames of crossed matches can leave each track following the other person. Body height
 * is the cue that survives: each track's learned shoulder height is frozen while someone is near (observe.ts), and
 * a fast running mean says whom it follows now. When both tracks of a close pair now see the other one's height,
 * they swapped: the shoppers' states (filter, views, gate sides) are swapped back so each id stays with its shopper.
 * Shoppers who stay in a crowd never get a fast mean: for them the median of the latest samples speaks, under
 * stricter guards (docs/vision.md, "Close shoppers").
 */
import { LATELY_SAMPLES } from './observe.ts';
import type { Track } from './track.ts';

/** Another shopper this close (m, floor plane) may lend a track keypoints: heights freeze, swaps are checked. */
export const NEAR_METRES = 1.0;
/** Pairs of tracks up to this far apart (m) are checked, once both are clear of everyone (not near). */
const APART_METRES = 1.8;
/** Only tracks that were near each other this recently (ms) can have swapped. */
const CONTACT_MEMORY_MS = 3000;
/**
 * Two confirmed tracks this close (m) for this long (ms) follow one body: bodies stand 0.3 m apart at the least, and
 * a track whose shopper walked off can stay on a neighbour for good, fed by the detections the rival rule alternates.
 */
const TWIN_METRES = 0.15;
const TWIN_MS = 2000;
/** Fast-mean samples each track needs before a swap is judged, and learned samples before its height is trusted. */
const MIN_RECENT = 15;
const MIN_LEARNED = 20;
/** Learned heights closer than this (m) do not tell two shoppers apart. */
const MIN_HEIGHT_GAP = 0.035;
/**
 * In a crowd, learned heights this far apart (m) are told apart by the median of the latest samples, when those
 * are steady (interquartile spread within `CROWDED_SPREAD`) and each reads the other's to within
 * `CROWDED_TOLERANCE` (m).
 */
const CROWDED_HEIGHT_GAP = 0.1;
const CROWDED_SPREAD = 0.03;
const CROWDED_TOLERANCE = 0.015;
/** How close (m, or share of the gap) each fast mean must be to the other track's learned height. */
const MIN_MATCH_TOLERANCE = 0.02;
const MATCH_SHARE = 0.35;
/** The swapped reading must explain the fast means this much better, as a share of the height gap. */
const SWAP_MARGIN = 1.2;

/**
 * Marks each track near another (within `NEAR_METRES` of any other live track) and notes every such contact: among
 * four shoppers at one shelf, the two that swap need not be each other's nearest. A confirmed one within
 * `TWIN_METRES` is noted as its twin, with when that began (`strayTwins`).
 */
export function markNear(tracks: readonly Track[], others: readonly Track[]): void {
  for (const track of tracks) {
    track.near = false;
    let twin: Track | undefined;
    for (const [o, t] of track.contacts) if (track.kf.t - t >= CONTACT_MEMORY_MS) track.contacts.delete(o);
    for (const o of others) {
      if (o === track) continue;
      const dx = o.kf.x - track.kf.x;
      const dy = o.kf.y - track.kf.y;
      // Math.hypot is never below either leg, so a leg this long already rules the pair out (same answer, cheaper).
      if (Math.abs(dx) >= NEAR_METRES || Math.abs(dy) >= NEAR_METRES) continue;
      const d = Math.hypot(dx, dy);
      if (d < NEAR_METRES) {
        track.near = true;
        track.contacts.set(o, track.kf.t);
        if (d < TWIN_METRES && o.state === 'confirmed') twin = o;
      }
    }
    // Same body as before: the twin's start stands; another (or none): it starts again.
    if (!twin) track.twin = undefined;
    else if (track.twin?.other !== twin) track.twin = { other: twin, since: track.kf.t };
  }
}

/** True when two confirmed close tracks each follow the shopper of the other's learned height. */
export function swappedByHeight(a: Track, b: Track): boolean {
  const gap = heightGap(a, b);
  if (gap === undefined) return false;
  const ha = a.heights.shoulder;
  const hb = b.heights.shoulder;
  let tolerance = Math.max(MIN_MATCH_TOLERANCE, MATCH_SHARE * gap);
  let ra = a.recent && a.recent.n >= MIN_RECENT ? a.recent.shoulder : undefined;
  let rb = b.recent && b.recent.n >= MIN_RECENT ? b.recent.shoulder : undefined;
  if (ra === undefined || rb === undefined) {
    // In a crowd the samples may be a neighbour's or a blend of two bodies' keypoints: only heights far apart,
    // each now read steadily (one body) as the other's, count.
    if (gap < CROWDED_HEIGHT_GAP) return false;
    ra = steadyMedian(a);
    rb = steadyMedian(b);
    tolerance = CROWDED_TOLERANCE;
  }
  if (ra === undefined || rb === undefined) return false;
  // Each must now look like the other: one shopper crouching at a low shelf makes the sums alone disagree.
  if (Math.abs(ra - hb) > tolerance || Math.abs(rb - ha) > tolerance) return false;
  const keep = Math.abs(ra - ha) + Math.abs(rb - hb);
  const swap = Math.abs(ra - hb) + Math.abs(rb - ha);
  return keep - swap >= SWAP_MARGIN * gap;
}

/** How far apart two tracks' learned shoulder heights are, when both are learned and far enough apart to tell. */
function heightGap(a: Track, b: Track): number | undefined {
  if ((a.heights.samples ?? 0) < MIN_LEARNED || (b.heights.samples ?? 0) < MIN_LEARNED) return undefined;
  const gap = Math.abs(a.heights.shoulder - b.heights.shoulder);
  return gap < MIN_HEIGHT_GAP ? undefined : gap;
}

/** The median of a track's latest shoulder heights when it has a full ring of them, all of one body (steady). */
function steadyMedian(track: Track): number | undefined {
  const { heights } = track.lately;
  if (heights.length < LATELY_SAMPLES) return undefined;
  const sorted = [...heights].sort((x, y) => x - y);
  const q = (f: number) => sorted[Math.round(f * (sorted.length - 1))]!;
  return q(0.75) - q(0.25) <= CROWDED_SPREAD ? q(0.5) : undefined;
}

/**
 * Of the tracks just updated, those that have shared a body with another confirmed track (`markNear` notes it) for
 * `TWIN_MS` and whose learned height fits that body worse: their shopper walked away. Nothing when heights cannot
 * tell the two apart.
 */
export function strayTwins(updated: Iterable<Track>, ts: number): { track: Track; since: number }[] {
  const strays: { track: Track; since: number }[] = [];
  for (const a of updated) {
    if (a.state !== 'confirmed' || !a.twin || ts - a.twin.since < TWIN_MS) continue;
    const stray = worseFit(a, a.twin.other);
    // Both met at the same moment: the stray's own shopper was last seen then.
    if (stray && !strays.some((s) => s.track === stray)) strays.push({ track: stray, since: a.twin.since });
  }
  return strays;
}

/** Of two tracks on one body, the one whose learned shoulder height is clearly further from what both now read. */
function worseFit(a: Track, b: Track): Track | undefined {
  const gap = heightGap(a, b);
  // Both must now read one body: a ring still holding its own shopper's older samples says nothing yet.
  const ma = steadyMedian(a);
  const mb = steadyMedian(b);
  if (gap === undefined || ma === undefined || mb === undefined || Math.abs(ma - mb) > CROWDED_TOLERANCE) {
    return undefined;
  }
  const body = (ma + mb) / 2;
  const offA = Math.abs(a.heights.shoulder - body);
  const offB = Math.abs(b.heights.shoulder - body);
  if (Math.min(offA, offB) > MATCH_SHARE * gap) return undefined;
  return offA > offB ? a : b;
}

/** Gives each track the other's shopper: filter, camera views, shoulders, wrists, gate sides and fast height mean. */
export function swapShoppers(a: Track, b: Track): void {
  [a.kf, b.kf] = [b.kf, a.kf];
  [a.observations, b.observations] = [b.observations, a.observations];
  [a.shoulders, b.shoulders] = [b.shoulders, a.shoulders];
  [a.hands, b.hands] = [b.hands, a.hands];
  [a.sides, b.sides] = [b.sides, a.sides];
  [a.recent, b.recent] = [b.recent, a.recent];
  [a.lately, b.lately] = [b.lately, a.lately];
  [a.lastSeenT, b.lastSeenT] = [b.lastSeenT, a.lastSeenT];
}

/** Checks every close confirmed pair among the tracks just updated; returns the swaps made. */
export function resolveSwaps(updated: readonly Track[]): [Track, Track][] {
  const done: [Track, Track][] = [];
  for (let i = 0; i < updated.length; i++) {
    const a = updated[i]!;
    if (a.state !== 'confirmed') continue;
    for (let j = i + 1; j < updated.length; j++) {
      const b = updated[j]!;
      if (b.state !== 'confirmed' || Math.hypot(a.kf.x - b.kf.x, a.kf.y - b.kf.y) >= APART_METRES) continue;
      if (!(met(a, b, a.kf.t) || met(b, a, a.kf.t)) || !swappedByHeight(a, b)) continue;
      swapShoppers(a, b);
      done.push([a, b]);
    }
  }
  return done;
}

/** True when x was last in reach of y less than the contact memory before t. */
function met(x: Track, y: Track, t: number): boolean {
  const at = x.contacts.get(y);
  return at !== undefined && t - at < CONTACT_MEMORY_MS;
}
