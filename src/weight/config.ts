/**
 * Tunable thresholds of the weight stage, with the defaults the simulator and the real-data test run with.
 * docs/weight.md explains which ones a store would change and why.
 */

export interface WeightConfig {
  /** Samples are reduced to blocks this long (trimmed mean: drops a block's min and max to kill single spikes). */
  blockMs: number;
  /** A plate is touched when a block leaves its baseline by more than max(triggerGrams, triggerZ · block noise). */
  triggerGrams: number;
  triggerZ: number;
  /** Settled: blocks spanning settleMs all lie within max(settleBandGrams, settleZ · block noise). */
  settleMs: number;
  settleBandGrams: number;
  settleZ: number;
  /** Idle plates re-zero toward their readings with this time constant (slow drift, temperature creep). */
  driftTauMs: number;
  /** A plate that never settles is decided anyway after this long (a wobbling item, a broken cell). */
  maxActiveMs: number;
  /** A plate's net change counts when above max(minStepGrams, stepZ · its sigma); smaller ones are noise. */
  minStepGrams: number;
  stepZ: number;
  /** Changes on neighbouring plates this close in time belong together; a shelf waits this long before deciding. */
  joinGapMs: number;
  /**
   * A cluster that is already complete — every step settled (not forced), every phase whole units of its plates'
   * own SKUs within `quickMaxZ` sigmas, no neighbouring plate in a touch — is decided this long after settling
   * instead of `joinGapMs` (latency). Incomplete-looking clusters (a hand resting, a slide) still wait.
   */
  quickJoinMs: number;
  quickMaxZ: number;
  /** An event smaller than this fraction of the lightest candidate unit is noise (a press that left residue). */
  minUnitFraction: number;
  /**
   * Odds of two grabs at neighbouring plates within one touch against one item resting across both. Simulated
   * convenience store, standard, seeds 1–2: 11 and 12 pairs of changes on neighbouring plates within 1 s, against
   * about 49 items resting across two plates (6 % of 823–825 changes).
   */
  neighbourGrabsOdds: number;
  /** Lower bound on a settled level's sigma, grams (load cell resolution, creep). */
  measurementSigmaGrams: number;
  /**
   * Relative sigma of a unit's weight beyond the product's own sd: packaging, calibration and items resting on
   * two plates make the weight that leaves a shelf differ from the planogram (up to ~10 % in the AutoCheckout store).
   */
  relativeTolerance: number;
  /** Prior of each extra unit in one grab (2 units: ×qtyDecay, 3: ×qtyDecay², …). */
  qtyDecay: number;
  /** Prior of a grab mixing two SKUs, relative to a single-SKU grab. */
  mixedSkuPrior: number;
  /** Most units of two SKUs enumerated together. */
  maxMixedUnits: number;
  /** Prior of an item the engine says is misplaced on the plate, relative to a planogram SKU. */
  misplacedPrior: number;
  /** Prior of a put-back of a SKU that does not belong on the plate (total, shared by all such SKUs). */
  foreignReturnPrior: number;
  /**
   * Location likelihood: an item's own plates carry most of the grams it moves (an item straddling two plates spills
   * a share onto the neighbour). With `s` the share of the change on plates carrying the SKU, the likelihood is
   * `locationFloor + (1 − locationFloor)·s^(locationSharpness − 1)` (a Beta(k, 1) density, scaled to 1 at s = 1):
   * `locationFloor` is the chance the SKU came from a plate the engine does not know it is on (an unseen misplaced
   * item), `locationSharpness` how concentrated the grams are on the item's plates (k = 4: mean own share 0.8, a 25 %
   * spill still ×0.42, a half-and-half split ×0.125).
   */
  locationFloor: number;
  locationSharpness: number;
  /** Prior of "none of these" (a flat density over the measured range): keeps probabilities honest. */
  outlierPrior: number;
  /** Flag `unexplained-weight` when the best hypothesis is further than this many sigmas. */
  unexplainedZ: number;
  /** Flag `ambiguous-item` when the runner-up's probability is at least this fraction of the best. */
  ambiguityRatio: number;
  /** Hypotheses returned per event. */
  topK: number;
  /** A gap in a plate's stream longer than this (beyond its own sampling period) is lost batches. */
  lostGapMs: number;
  /** A plate that sends nothing for this long is silent (keep-alives come every second). */
  silenceMs: number;
  /** A quiet plate sends at least one batch this often (protocol); later than this plus `lostGapMs`, it is overdue. */
  heartbeatMs: number;
  /**
   * A cluster next to an overdue plate whose stream stopped around the change (from `silenceMs` before the touch
   * began until it ended) waits up to this long after settling for it: part of the item may have landed there unseen.
   */
  silentNeighbourWaitMs: number;
}

export const DEFAULT_WEIGHT_CONFIG: Readonly<WeightConfig> = Object.freeze({
  blockMs: 100,
  triggerGrams: 4,
  triggerZ: 6,
  settleMs: 500,
  settleBandGrams: 3,
  settleZ: 4,
  driftTauMs: 10_000,
  maxActiveMs: 20_000,
  minStepGrams: 3,
  stepZ: 5,
  joinGapMs: 1000,
  quickJoinMs: 150,
  quickMaxZ: 2,
  minUnitFraction: 0.4,
  neighbourGrabsOdds: 0.25,
  measurementSigmaGrams: 0.5,
  relativeTolerance: 0.03,
  qtyDecay: 0.25,
  mixedSkuPrior: 0.1,
  maxMixedUnits: 4,
  misplacedPrior: 0.5,
  foreignReturnPrior: 0.05,
  locationFloor: 0.02,
  locationSharpness: 4,
  outlierPrior: 0.01,
  unexplainedZ: 3.5,
  ambiguityRatio: 0.5,
  topK: 5,
  lostGapMs: 400,
  silenceMs: 3000,
  heartbeatMs: 1000,
  silentNeighbourWaitMs: 10_000,
});

export function weightConfig(overrides: Partial<WeightConfig> = {}): WeightConfig {
  return { ...DEFAULT_WEIGHT_CONFIG, ...overrides };
}
