/**
 * Hand evidence → likelihood ratio that this person moved the item [F2]. The ratio compares "this person is the
 * actor" with "this person was merely near", so candidates multiply into a joint model without double counting:
 * the posterior of candidate c is proportional to its ratio (the bystander terms of everyone cancel).
 */
import type { HandEvidence } from '../vision/types.ts';
import type { ShelfEvent } from '../weight/types.ts';
import type { FusionConfig } from './config.ts';

const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** No ratio is ever exactly zero: a wrong camera reading must not make an outcome impossible. */
const MIN_RATIO = 1e-9;

export interface HandConditions {
  /** The plate's own stream was silent: `tChange` is a guess, so timing carries no information. */
  silentPlate: boolean;
  /** A camera covering the plate was offline: wrists are seen worse. */
  camerasDegraded: boolean;
}

/** Density of the wrist reading's distance outside the volume for the actor: half-normal with scale `s`. */
function actorDistanceDensity(d: number, s: number): number {
  return (2 / (s * SQRT_2PI)) * Math.exp(-0.5 * (d / s) ** 2);
}

/**
 * Ratio of the closest-approach timing against a bystander's uniform over the window. For the actor: a wrist that
 * entered first read inside `enterLeadMs` before tChange (the hand goes in, then lifts the item); a wrist that only
 * came near was closest around tChange.
 */
function timingRatio(evidence: HandEvidence, event: ShelfEvent, config: FusionConfig, silent: boolean): number {
  if (silent) return 1;
  const windowMs = Math.max(1000, event.tSettled - event.tStart + config.windowBeforeMs + config.windowAfterMs);
  const [mean, sigma] = evidence.entered
    ? [event.tChange - config.enterLeadMs, config.enterSigmaMs]
    : [event.tChange, config.timeSigmaMs];
  const dt = evidence.tClosest - mean;
  const bystander = 1 / windowMs;
  // A share of actors read off-time (a tChange misplaced by a slow settle, a wrist seen late): uniform, like anyone.
  const onTime = Math.exp(-0.5 * (dt / sigma) ** 2) / (sigma * SQRT_2PI);
  const actor = (1 - config.offTimeShare) * onTime + config.offTimeShare * bystander;
  return actor / bystander;
}

/** Where the hand was when the weight changed: inside, seen outside, or not seen (one hand or the whole track). */
export function changeState(atChange: HandEvidence | undefined): 'in' | 'out' | 'hidden' {
  if (atChange?.entered) return 'in';
  return !atChange || atChange.handHidden ? 'hidden' : 'out';
}

/** A reach that lingered well inside the volume, or one that only grazed it. */
function firmness(window: HandEvidence, config: FusionConfig): 'brief' | 'mid' | 'firm' {
  const deep = window.depth >= config.reachDeep;
  if (window.insideMs >= config.reachFirmMs && deep) return 'firm';
  return window.insideMs < config.reachBriefMs && !deep ? 'brief' : 'mid';
}

/** A hand in the volume that never left where it hangs at rest, an arm half out, or a reach (`armBands`). */
function armRatio(window: HandEvidence, config: FusionConfig): number {
  if (window.armOut === undefined) return 1;
  const { hangingM, reachingM, actor, bystander } = config.armBands;
  const band = window.armOut < hangingM ? 0 : window.armOut < reachingM ? 1 : 2;
  return actor[band] / bystander[band];
}

/**
 * Ratio of the reach itself. A wrist that read inside the plate's volume during the window is the strong sign,
 * sharpened by where the hand was when the weight changed and how firmly it reached. A wrist that never went in is
 * judged by how far outside it stayed, against a bystander's distance uniform over the query radius, unless a hand
 * was lost around the change (it may be the one that was in the shelf).
 */
function reachRatio(
  window: HandEvidence,
  atChange: HandEvidence | undefined,
  config: FusionConfig,
  degraded: boolean,
): number {
  const state = changeState(atChange);
  if (window.entered) {
    const entered = config.pEnteredIfActor / config.pEnteredIfBystander;
    return entered * config.enteredRatio[state][firmness(window, config)] * armRatio(window, config);
  }
  // A lost hand may be the one in the shelf, unless the shopper stood too far from it for any hand to reach.
  const withinReach = (window.bodyDistance ?? 0) <= config.hiddenHandReachM;
  if (state === 'hidden' && atChange && withinReach) return config.hiddenHandRatio;
  const scale = degraded ? config.degradedSigmaScale : 1;
  const d = Math.max(0, window.minDistance);
  const fit = (sigma: number) => Math.hypot(sigma * scale, config.reachSlackM);
  // A wrist held where cameras last saw it gathered doubt there (the hand may have gone on into the shelf): of the
  // σ it had meanwhile, the one that best fits a reach (s = d) is taken.
  const s = Math.min(Math.max(d, fit(window.sigma)), fit(window.heldSigma ?? window.sigma));
  const actor = (1 - config.pEnteredIfActor) * actorDistanceDensity(d, s);
  const bystander = (1 - config.pEnteredIfBystander) / config.candidateRadiusM;
  return actor / bystander;
}

/** P(evidence | actor) / P(evidence | bystander) for one track and one shelf event. */
export function handLikelihoodRatio(
  evidence: HandEvidence,
  event: ShelfEvent,
  config: FusionConfig,
  conditions: HandConditions,
  atChange?: HandEvidence,
): number {
  const ratio =
    reachRatio(evidence, atChange, config, conditions.camerasDegraded) *
    timingRatio(evidence, event, config, conditions.silentPlate);
  return Number.isFinite(ratio) ? Math.max(MIN_RATIO, ratio) : MIN_RATIO;
}
