/**
 * Hand-built inputs for the fusion tests: shelf events, hand evidence and contexts with sensible defaults.
 */
import type { HandEvidence } from '../vision/types.ts';
import type { ItemHypothesis, ShelfEvent } from '../weight/types.ts';
import type { FusionContext, ShopperCandidate } from './attribute.ts';

export const T0 = 1_700_000_000_000;

export function shelfEvent(over: Partial<ShelfEvent> = {}): ShelfEvent {
  const hypotheses: ItemHypothesis[] = over.hypotheses ?? [
    { items: [{ sku: 'cola', qty: 1 }], probability: 0.99, residualGrams: 2 },
  ];
  return {
    id: `p1@${T0}`,
    fixtureId: 'f1',
    shelfId: 's1',
    plateIds: ['p1'],
    gramsByPlate: { p1: 355 },
    grams: 355,
    sigmaGrams: 3,
    tStart: T0,
    tChange: T0 + 400,
    tSettled: T0 + 1000,
    tDecided: T0 + 1200,
    flags: [],
    ...over,
    hypotheses,
  };
}

/**
 * A hand that went into the plate's volume about a second before the weight changed (first inside sample) and
 * stayed there, well in, for 1.5 s.
 */
export function reach(trackId: string, over: Partial<HandEvidence> = {}): HandEvidence {
  const base = { trackId, minDistance: 0, tClosest: T0 + 400 - 1150, entered: true, sigma: 0.04 };
  return { ...base, ...over, insideMs: over.insideMs ?? 1500, depth: over.depth ?? 0.6 };
}

/** A hand near the plate that stayed outside its volume. */
export function near(trackId: string, minDistance: number, over: Partial<HandEvidence> = {}): HandEvidence {
  const base = { trackId, minDistance, tClosest: T0 + 400, entered: false, sigma: 0.04 };
  return { ...base, ...over, insideMs: over.insideMs ?? 0, depth: over.depth ?? 0 };
}

/**
 * A candidate; by default the hand was where its evidence says when the weight changed (inside for a reach).
 * Pass `atChange` for a hand that was elsewhere by then, or `null` for one not seen then.
 */
export function shopper(
  sessionId: string | null,
  evidence: HandEvidence,
  staff = false,
  atChange: HandEvidence | null = { ...evidence, tClosest: T0 + 400 },
): ShopperCandidate {
  return { sessionId, trackId: evidence.trackId, staff, evidence, atChange: atChange ?? undefined };
}

export function context(over: Partial<FusionContext> = {}): FusionContext {
  return {
    candidates: [],
    silentPlate: false,
    camerasDegraded: false,
    sessionsInside: [],
    mode: 'multi-shopper',
    ...over,
  };
}

export const carts =
  (byCart: Record<string, Record<string, number>>) =>
  (sessionId: string): ReadonlyMap<string, number> =>
    new Map(Object.entries(byCart[sessionId] ?? {}));

export const UNIT_WEIGHTS: Record<string, { mean: number; sd: number }> = {
  cola: { mean: 355, sd: 3 },
  yogurt: { mean: 150, sd: 2 },
  cereal: { mean: 500, sd: 5 },
  gum: { mean: 30, sd: 1 },
  mints: { mean: 31, sd: 1 },
};
export const unitWeightOf = (sku: string) => UNIT_WEIGHTS[sku];
