/**
 * Predicted accuracy of a store layout before it is built: a short simulated run of the store through the benchmark
 * (src/bench `benchStore`: simulator → engine → scored against the simulator's truth), reduced to what an operator
 * compares: exact receipts, how many visits need a reviewer, and the engine's compute per store-hour.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { StoreResult } from '../bench/report.ts';
import { type BenchDeps, benchStore, defaultMeters } from '../bench/run-bench.ts';
import type { Difficulty } from '../bench/suites.ts';
import type { Store } from '../store/store.ts';

export interface PredictionSetup {
  /** Visits in the simulated run (the simulator's `shoppers`). */
  shoppers: number;
  minutes: number;
  seed: number;
  difficulty: Difficulty;
}

export interface Prediction {
  setup: PredictionSetup;
  visits: number;
  /** Visits whose receipt was exactly right without a reviewer; with a 95 % interval (Wilson). */
  exactReceiptRate: number | null;
  exactInterval: [number, number] | null;
  /** Visits that needed a reviewer, as a fraction. */
  reviewRate: number;
  /** Exact receipts once every review is answered correctly. */
  afterReviewExactRate: number | null;
  /** Engine CPU seconds per hour of store time (pose detection on the cameras' frames not included). */
  cpuSecondsPerStoreHour: number | null;
  /** The plain baseline policy on the same run, for scale. */
  baselineExactRate: number | null;
}

/** Minutes a simulated visit lasts, roughly: turns "shoppers inside at once" into visits per run. */
const VISIT_MINUTES = 3;

/**
 * Visits for a short run: about one shopper inside per 20 m² of floor (3 to 20 at once) over `minutes`. The
 * simulator's `shoppers` option is the number of visits in the run (src/sim/plan.ts spreads their arrivals).
 */
export function defaultShoppers(floorAreaM2: number, minutes: number): number {
  const inside = Math.min(20, Math.max(3, Math.round(floorAreaM2 / 20)));
  return Math.max(5, Math.round((inside * minutes) / VISIT_MINUTES));
}

/** 95 % Wilson score interval for k successes out of n. */
export function wilson(k: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const z = 1.96;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function predictionFrom(result: StoreResult, setup: PredictionSetup): Prediction {
  const rtf = result.cost.realTimeFactor;
  const exact = result.exactReceiptRate;
  return {
    setup,
    visits: result.visits,
    exactReceiptRate: exact,
    exactInterval: exact === null ? null : wilson(Math.round(exact * result.visits), result.visits),
    reviewRate: result.reviewVisitsPer1000 / 1000,
    afterReviewExactRate: result.afterReview.exactReceiptRate,
    cpuSecondsPerStoreHour: rtf && rtf > 0 ? 3600 / rtf : null,
    baselineExactRate: result.baseline.exactReceiptRate,
  };
}

/** The simulator and engine for the benchmark, loaded when a plan needs them (bill and coverage work without). */
export async function loadBenchDeps(): Promise<BenchDeps> {
  const { runSimulation } = await import('../sim/simulate.ts');
  const { createEngine } = await import('../engine/engine.ts');
  return { simulate: runSimulation, createEngine, tracking: null, ...defaultMeters };
}

/** Writes the variant's store file (the benchmark reads stores from files) and runs it. */
export async function predict(
  store: Store,
  slug: string,
  dir: string,
  setup: PredictionSetup,
  deps: BenchDeps,
): Promise<Prediction> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${slug}.yaml`);
  writeFileSync(file, `# Planner variant of ${store.def.id}: ${slug}\n${stringify(store.def)}`);
  const run = { store: file, shoppers: setup.shoppers, minutes: setup.minutes, difficulty: setup.difficulty };
  const result = await benchStore(run, setup.seed, '/', deps);
  return predictionFrom(result, setup);
}
