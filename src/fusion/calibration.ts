/**
 * Is confidence a probability? From (confidence, correct) pairs: the reliability table, the expected calibration
 * error, and the trade-off a store picks its commit threshold on (review rate vs accuracy of what is committed) [F15].
 */
import { WalkoutError } from '../errors.ts';

export interface Scored {
  confidence: number;
  correct: boolean;
}

export interface ReliabilityBin {
  /** Confidence range [lo, hi); the last bin includes 1. */
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number;
  /** Fraction correct, or null for an empty bin. */
  accuracy: number | null;
}

export interface ThresholdPoint {
  threshold: number;
  /** Fraction of events below the threshold (sent to review). */
  reviewRate: number;
  /** Accuracy of the events at or above it (committed); null when none are. */
  committedAccuracy: number | null;
  committed: number;
  /** Committed events that were wrong, per event overall: what reaches receipts unreviewed. */
  wrongCommitRate: number;
}

function checkPairs(pairs: readonly Scored[]): void {
  for (const p of pairs) {
    if (!(p.confidence >= 0 && p.confidence <= 1))
      throw new WalkoutError('BAD_CONFIDENCE', `confidence ${p.confidence} not in [0, 1]`);
  }
}

/** Equal-width bins over [0, 1]. */
export function reliabilityTable(pairs: readonly Scored[], bins = 10): ReliabilityBin[] {
  checkPairs(pairs);
  const table = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, n: 0, conf: 0, hits: 0 }));
  for (const p of pairs) {
    const bin = table[Math.min(bins - 1, Math.floor(p.confidence * bins))]!;
    bin.n += 1;
    bin.conf += p.confidence;
    bin.hits += p.correct ? 1 : 0;
  }
  return table.map((b) => ({
    lo: b.lo,
    hi: b.hi,
    count: b.n,
    meanConfidence: b.n ? b.conf / b.n : (b.lo + b.hi) / 2,
    accuracy: b.n ? b.hits / b.n : null,
  }));
}

/** Expected calibration error: the count-weighted mean gap between confidence and accuracy per bin. */
export function expectedCalibrationError(pairs: readonly Scored[], bins = 10): number {
  if (pairs.length === 0) return 0;
  return reliabilityTable(pairs, bins).reduce(
    (sum, b) => sum + (b.accuracy === null ? 0 : (b.count / pairs.length) * Math.abs(b.accuracy - b.meanConfidence)),
    0,
  );
}

/** The default thresholds: 0, 0.01, …, 1. */
export const GRID = Array.from({ length: 101 }, (_, i) => i / 100);

/** For each threshold: what share goes to review and how accurate the rest is. */
export function thresholdCurve(pairs: readonly Scored[], thresholds: readonly number[] = GRID): ThresholdPoint[] {
  checkPairs(pairs);
  const sorted = [...pairs].sort((a, b) => a.confidence - b.confidence);
  const n = sorted.length;
  // Suffix counts: committed events and their hits for "confidence ≥ threshold".
  const hitsFrom = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) hitsFrom[i] = hitsFrom[i + 1]! + (sorted[i]!.correct ? 1 : 0);
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((threshold) => {
      const first = lowerBound(sorted, threshold);
      const committed = n - first;
      const hits = hitsFrom[first]!;
      return {
        threshold,
        reviewRate: n ? first / n : 0,
        committedAccuracy: committed ? hits / committed : null,
        committed,
        wrongCommitRate: n ? (committed - hits) / n : 0,
      };
    });
}

function lowerBound(sorted: readonly Scored[], threshold: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.confidence < threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lowest threshold whose committed accuracy reaches `target` (fewest reviews), or null if none does. */
export function thresholdFor(
  pairs: readonly Scored[],
  target: number,
  thresholds: readonly number[] = GRID,
): ThresholdPoint | null {
  return (
    thresholdCurve(pairs, thresholds).find((p) => p.committedAccuracy !== null && p.committedAccuracy >= target) ?? null
  );
}
