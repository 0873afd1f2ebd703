/**
 * What the weight stage tells the rest of the engine: shelf events with grams and ranked item hypotheses.
 */

/** One (SKU, quantity) combination; quantity > 0 means units left the shelf (pick), < 0 units arrived (put). */
export interface ItemCount {
  sku: string;
  qty: number;
}

export interface ItemHypothesis {
  items: ItemCount[];
  /** Posterior probability among the listed hypotheses (they sum to at most 1). */
  probability: number;
  /** Grams this hypothesis explains minus grams measured (signed, removal-positive). */
  residualGrams: number;
}

export interface ShelfEvent {
  /** Stable id derived from the first plate and the start time, so replays give the same ids. */
  id: string;
  fixtureId: string;
  shelfId: string;
  /** Plates whose weight changed, the first holding most of the change. */
  plateIds: string[];
  /** Net grams that left the shelf per plate (negative: weight arrived). */
  gramsByPlate: Record<string, number>;
  /** Total grams that left the shelf (negative for a put-back). */
  grams: number;
  /** Standard deviation of `grams` from baseline noise, in grams. */
  sigmaGrams: number;
  /** Event time: touch began, the item left or reached the shelf, and the shelf settled again. */
  tStart: number;
  tChange: number;
  tSettled: number;
  /** Event time at which the stage decided the event (after settling). */
  tDecided: number;
  hypotheses: ItemHypothesis[];
  /** Set when the decision should not be trusted blindly: silent plate, lost batches, close alternatives. */
  flags: ShelfEventFlag[];
}

export type ShelfEventFlag = 'silent-plate' | 'lost-batches' | 'ambiguous-item' | 'unexplained-weight' | 'split-plates';

/** The stock the weight stage reasons about: units on a plate per SKU (includes misplaced ones). */
export type PlateStock = ReadonlyMap<string, ReadonlyMap<string, number>>;
