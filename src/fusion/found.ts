/**
 * Items staff found on the floor [F17]: whose cart each one leaves. An item on the floor was dropped by someone
 * who held it: a shopper whose cart still holds that product and who walked close to the spot after taking it.
 * The engine keeps where each session's people walked (`FloorTrails`, a point a second); `decideFound` weighs the
 * candidates by how close they came. Cameras never see the item itself, so when two shoppers with the product
 * passed the spot, or one whose track was lost, the decision is left to staff (the item waits, nobody's cart
 * changes). Pure.
 */
import type { Vec2 } from '../store/schema.ts';

export interface FoundConfig {
  /** How far (m) a dropper's trail typically lies from where staff report the item: drop reach plus track noise. */
  sigmaM: number;
  /** Weight of "someone else": a shopper not charged for the product, staff, or an item knocked off a shelf. */
  unknownWeight: number;
  /** The closeness weight of a candidate whose whereabouts are unknown: as if about 1 m from the spot. */
  unseenLikelihood: number;
  /**
   * How long (ms) an item may lie on the floor before staff find it: shoppers inside within this long before the find
   * are candidates, judged by where they walked within it.
   */
  lookbackMs: number;
  /** The trail is searched from this long (ms) before the product was added to the cart (add lags the pick). */
  addLagMs: number;
}

export const FOUND_DEFAULTS: FoundConfig = {
  sigmaM: 0.6,
  unknownWeight: 0.02,
  unseenLikelihood: 0.25,
  lookbackMs: 15 * 60_000,
  addLagMs: 5_000,
};

export interface FoundCandidate {
  sessionId: string;
  /**
   * Closest approach (m) of the session's trail to the spot since it took the product and within the lookback; null
   * when unknown (a store without cameras, a track lost since, or no point of it within the lookback).
   */
  distanceM: number | null;
}

export interface FoundDecision {
  /** Whose cart the item leaves; null when nobody is likely enough. */
  sessionId: string | null;
  confidence: number;
  candidates: (FoundCandidate & { probability: number })[];
}

/**
 * Weighs the candidates by closeness; the top one is decided when at least `threshold` likely and, in a store with
 * cameras, seen: a shopper whose track was lost is never charged less on a guess, only by staff.
 */
export function decideFound(
  candidates: readonly FoundCandidate[],
  o: { threshold: number; tracked: boolean },
  c: FoundConfig,
): FoundDecision {
  const like = candidates.map((k) =>
    k.distanceM === null ? c.unseenLikelihood : Math.exp(-(k.distanceM ** 2) / (2 * c.sigmaM ** 2)),
  );
  const total = like.reduce((s, l) => s + l, c.unknownWeight);
  const scored = candidates
    .map((k, i) => ({ ...k, probability: like[i]! / total }))
    .sort((a, b) => b.probability - a.probability);
  const top = scored[0];
  const confidence = top?.probability ?? 0;
  const decided = top && confidence >= o.threshold && (top.distanceM !== null || !o.tracked);
  return { sessionId: decided ? top.sessionId : null, confidence, candidates: scored };
}

/** Where each session's people walked: flat [t, x, y] per session, appended in time order. */
export class FloorTrails {
  private readonly trails = new Map<string, number[]>();

  record(sessionId: string, t: number, at: Vec2): void {
    const trail = this.trails.get(sessionId) ?? [];
    trail.push(t, at[0], at[1]);
    this.trails.set(sessionId, trail);
  }

  /** Closest approach (m) of the session's trail to `at` within [t0, t1]; null when it has no point there. */
  closest(sessionId: string, at: Vec2, t0: number, t1: number): number | null {
    const trail = this.trails.get(sessionId) ?? [];
    let best: number | null = null;
    for (let i = 0; i < trail.length; i += 3) {
      if (trail[i]! < t0 || trail[i]! > t1) continue;
      const d = Math.hypot(trail[i + 1]! - at[0], trail[i + 2]! - at[1]);
      if (best === null || d < best) best = d;
    }
    return best;
  }

  /** Forgets trails whose last point is before `t`: nobody can be a candidate for a later find. */
  prune(t: number): void {
    for (const [sessionId, trail] of this.trails) if (trail[trail.length - 3]! < t) this.trails.delete(sessionId);
  }
}
