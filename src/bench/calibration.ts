/**
 * What the (confidence, correct) pairs of decided events say: a reliability diagram (is a 0.9 right nine times in
 * ten?), its expected calibration error, and the accuracy a store would get for the review rate it accepts if every
 * decision under a threshold went to a reviewer who gets it right. Pure.
 */
import type { CalibrationPair } from './score-events.ts';

export interface ReliabilityBin {
  /** Confidence range [lo, hi); the last bin includes 1. */
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

export interface ThresholdPoint {
  threshold: number;
  /** Share of all events (decided + already reviewed) a human would see. */
  reviewRate: number;
  /** Share right after review: decisions kept plus everything reviewed (the oracle reviewer is always right). */
  accuracy: number;
  /** Share right among the decisions kept automatic; null when none are kept. */
  automaticAccuracy: number | null;
}

export function reliabilityBins(pairs: readonly CalibrationPair[], bins = 10): ReliabilityBin[] {
  return Array.from({ length: bins }, (_, b) => {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const inBin = pairs.filter(
      (p) => p.confidence >= lo && (p.confidence < hi || (b === bins - 1 && p.confidence <= hi)),
    );
    const n = inBin.length;
    return {
      lo,
      hi,
      count: n,
      meanConfidence: n === 0 ? null : inBin.reduce((s, p) => s + p.confidence, 0) / n,
      accuracy: n === 0 ? null : inBin.filter((p) => p.correct).length / n,
    };
  });
}

/** Count-weighted mean |accuracy − confidence| over the bins; null without pairs. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number | null {
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (total === 0) return null;
  return bins.reduce((s, b) => s + (b.count / total) * Math.abs((b.accuracy ?? 0) - (b.meanConfidence ?? 0)), 0);
}

/**
 * Accuracy against review rate when decisions with confidence below each threshold are reviewed as well.
 * `alreadyReviewed` counts events the engine sent to review itself (reviewed at every threshold).
 */
export function thresholdCurve(
  pairs: readonly CalibrationPair[],
  alreadyReviewed = 0,
  thresholds: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20),
): ThresholdPoint[] {
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
