/**
 * Matching the engine's shelf events to the simulator's true interactions. Which interactions a shelf should see,
 * and the rule that pairs them: same plate (the truth plate is one of the event's plates, so a change split over a
 * neighbouring plate still matches), change times within ±1 s (a silent plate's whole touch), closest first, one to
 * one; then interactions left
 * over that fit an already matched event are merged into it (two hands on one plate in the same second read as one
 * change). Pure.
 */
import type { InteractionKind, TruthInteraction } from '../sim/truth.ts';
import type { ShelfEvent } from '../weight/types.ts';

/**
 * Interaction kinds that change a plate's weight and so should produce a shelf event: picks and returns (on the
 * right plate or the wrong one), staff restocks, and a drop when the item fell off a plate. Handoffs and drops
 * from a hand never touch a shelf; bumps and touches leave no net change, so an event for them is a false positive.
 */
export const WEIGHT_KINDS: ReadonlySet<InteractionKind> = new Set<InteractionKind>([
  'pick',
  'return',
  'misplaced-pick',
  'misplaced-return',
  'restock',
  'drop',
]);

export const MATCH_WINDOW_MS = 1000;

export function movesWeight(i: TruthInteraction): boolean {
  return WEIGHT_KINDS.has(i.kind) && i.plateId !== null && i.sku !== null && i.qty !== 0;
}

export interface EventMatching {
  /** Indices into the interactions array of the truth a shelf event explains (first: its one-to-one match). */
  byEvent: Map<string, number[]>;
  /** Shelf event id for each matched interaction index. */
  byTruth: Map<number, string>;
  /** Indices of the interactions that should have produced an event. */
  expected: number[];
}

interface Candidate {
  truth: number;
  event: string;
  dt: number;
  primary: boolean;
}

/**
 * How far (ms) an interaction at time t is from an event's change. A plate that went silent (or lost batches) could
 * not say when during the gap its weight changed: `tChange` is a guess, so the whole touch counts as the change.
 */
function changeGap(e: ShelfEvent, t: number): number {
  const blind = e.flags.includes('silent-plate') || e.flags.includes('lost-batches');
  if (!blind) return Math.abs(e.tChange - t);
  return t < e.tStart ? e.tStart - t : t > e.tSettled ? t - e.tSettled : 0;
}

function candidates(
  interactions: readonly TruthInteraction[],
  expected: readonly number[],
  events: readonly ShelfEvent[],
  windowMs: number,
): Candidate[] {
  const byPlate = new Map<string, ShelfEvent[]>();
  for (const e of events) {
    for (const plate of e.plateIds) byPlate.set(plate, [...(byPlate.get(plate) ?? []), e]);
  }
  const out: Candidate[] = [];
  for (const truth of expected) {
    const i = interactions[truth]!;
    for (const e of byPlate.get(i.plateId!) ?? []) {
      const dt = changeGap(e, i.t);
      if (dt <= windowMs) out.push({ truth, event: e.id, dt, primary: e.plateIds[0] === i.plateId });
    }
  }
  // Closest in time first; on a tie the event whose main plate is the truth plate; then stable by ids.
  return out.sort(
    (a, b) =>
      a.dt - b.dt ||
      Number(b.primary) - Number(a.primary) ||
      a.truth - b.truth ||
      (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
  );
}

export function matchShelfEvents(
  interactions: readonly TruthInteraction[],
  events: readonly ShelfEvent[],
  windowMs = MATCH_WINDOW_MS,
): EventMatching {
  const expected = interactions.flatMap((i, index) => (movesWeight(i) ? [index] : []));
  const pairs = candidates(interactions, expected, events, windowMs);
  const byEvent = new Map<string, number[]>();
  const byTruth = new Map<number, string>();
  for (const c of pairs) {
    if (byTruth.has(c.truth) || byEvent.has(c.event)) continue;
    byTruth.set(c.truth, c.event);
    byEvent.set(c.event, [c.truth]);
  }
  for (const c of pairs) {
    if (byTruth.has(c.truth) || !byEvent.has(c.event)) continue;
    byTruth.set(c.truth, c.event);
    byEvent.get(c.event)!.push(c.truth);
  }
  return { byEvent, byTruth, expected };
}
