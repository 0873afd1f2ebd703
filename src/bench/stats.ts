/**
 * Small statistics the benchmark shares: ratios that survive empty denominators, percentiles, histograms.
 */

/** `num / den`, or `whenEmpty` when there is nothing to divide by (a rate over zero cases is not a number). */
export function ratio(num: number, den: number, whenEmpty: number | null = null): number | null {
  return den === 0 ? whenEmpty : num / den;
}

/** Rate per 1,000 of `den`; 0 when `den` is 0 (nothing happened, so nothing per 1,000 happened either). */
export function per1000(num: number, den: number): number {
  return den === 0 ? 0 : (1000 * num) / den;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; null for no samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Precision, recall and F1 from counts; precision (recall) is 1 when nothing was predicted (nothing was true). */
export function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export interface Histogram {
  /** Bin edges, one more than counts; the last bin also holds everything above its upper edge. */
  edges: number[];
  counts: number[];
}

/** Histogram over fixed edges; samples below the first edge go to the first bin, above the last to the last. */
export function histogram(samples: readonly number[], edges: readonly number[]): Histogram {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  if (counts.length === 0) return { edges: [...edges], counts };
  for (const s of samples) {
    let bin = counts.length - 1;
    for (let i = 0; i < counts.length; i++) {
      if (s < edges[i + 1]!) {
        bin = i;
        break;
      }
    }
    counts[bin]! += 1;
  }
  return { edges: [...edges], counts };
}
