/**
 * The accuracy a store would get for the review rate it accepts, if every decision under a threshold went to a
 * reviewer who gets it right (the reliability table and calibration error are fusion's, src/fusion/calibration.ts).
 */
import type { CalibrationPair } from './score-events.ts';

export interface ReviewTradeoffPoint {
  threshold: number;
  /** Share of all events (decided + already reviewed) a human would see. */
  reviewRate: number;
  /** Share right after review: decisions kept plus everything reviewed (the oracle reviewer is always right). */
  accuracy: number;
  /** Share right among the decisions kept automatic; null when none are kept. */
  automaticAccuracy: number | null;
}

/**
 * Accuracy against review rate when decisions with confidence below each threshold are reviewed as well.
 * `alreadyReviewed` counts events the engine sent to review itself (reviewed at every threshold).
 */
export function reviewTradeoffCurve(
  pairs: readonly CalibrationPair[],
  alreadyReviewed = 0,
  thresholds: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20),
): ReviewTradeoffPoint[] {
  const total = pairs.length + alreadyReviewed;
  return thresholds.map((threshold) => {
    const kept = pairs.filter((p) => p.confidence >= threshold);
    const keptRight = kept.filter((p) => p.correct).length;
    const reviewed = total - kept.length;
    return {
      threshold,
      reviewRate: total === 0 ? 0 : reviewed / total,
      accuracy: total === 0 ? 1 : (keptRight + reviewed) / total,
      automaticAccuracy: kept.length === 0 ? null : keptRight / kept.length,
    };
  });
}
