/**
 * Simulation options and the hard-case frequencies. Rates are per 100 shopper visits in a standard run;
 * `difficulty: 'hard'` multiplies them and crowds the store. docs/simulator.md lists the same table.
 */
import type { HardCase } from './truth.ts';

export interface SimOptions {
  shoppers: number;
  minutes: number;
  seed: number;
  /** Start of the run, ms since the epoch; default 2026-01-05 08:00 UTC. */
  start?: number;
  difficulty?: 'standard' | 'hard';
  plateRate?: 'exception' | 'full';
  /** Camera frame rate; default min(camera fps, 10). */
  cameraFps?: number;
  onProgress?: (fraction: number) => void;
}

export interface Resolved {
  shoppers: number;
  minutes: number;
  seed: number;
  start: number;
  hard: boolean;
  plateRate: 'exception' | 'full';
  cameraFps: number | null;
  /** Multiplier on hard-case rates. */
  rateScale: number;
  onProgress: (fraction: number) => void;
}

export function resolveOptions(o: SimOptions): Resolved {
  const hard = o.difficulty === 'hard';
  return {
    shoppers: Math.max(0, Math.floor(o.shoppers)),
    minutes: Math.max(0.5, o.minutes),
    seed: o.seed,
    start: o.start ?? Date.UTC(2026, 0, 5, 8),
    hard,
    plateRate: o.plateRate ?? 'exception',
    cameraFps: o.cameraFps ?? null,
    rateScale: hard ? 2.5 : 1,
    onProgress: o.onProgress ?? (() => {}),
  };
}

/**
 * How many of each scripted case per 100 visits (standard). A run with at least 20 visits gets at least one of
 * each, so every hard case shows up in a standard 200-visit run. Per-pick cases (multi-unit) are probabilities.
 */
export const CASES_PER_100: Record<Exclude<HardCase, 'multi-unit'>, number> = {
  'same-plate-race': 2,
  'adjacent-plate-race': 2,
  'pick-then-return': 6,
  'wrong-plate-return': 3,
  'misplaced-pick': 0, // follows each wrong-plate return (80 %)
  'near-equal-weights': 3,
  'family-child-pick': 3,
  tailgater: 1.5,
  handoff: 1.5,
  'floor-drop': 1.5,
  'staff-restock': 1,
  'shelf-bump': 4,
  'silent-plate': 2,
  'camera-offline': 1,
  'crossing-arms': 1.5,
  'shoulder-to-shoulder': 2,
};

/** Probability that a pick takes 2–3 units at once. */
export const MULTI_UNIT_P = 0.06;
/** Share of families (party of 2–4 on one scan) among visits. */
export const FAMILY_P = 0.08;
/** Share of visits that only browse (touch, buy nothing). */
export const BROWSE_ONLY_P = 0.12;

export function caseCount(kind: keyof typeof CASES_PER_100, visits: number, scale: number): number {
  const n = Math.round((CASES_PER_100[kind] * scale * visits) / 100);
  return visits >= 20 && CASES_PER_100[kind] > 0 ? Math.max(1, n) : n;
}
