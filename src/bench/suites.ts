/**
 * The benchmark suites, fixed in the repo so figures stay comparable between commits (documented in
 * BENCHMARKS.md). Each run is one simulated store session: a store file, how many shoppers may be inside at once,
 * how many minutes of opening hours, and the difficulty (how often hard cases happen).
 */
import type { SimOptions } from '../sim/options.ts';

export type Difficulty = NonNullable<SimOptions['difficulty']>;

export interface SuiteRun {
  /** Store YAML, relative to the repository root. */
  store: string;
  /** Shopper visits over the run (the simulator spreads arrivals with rush peaks). */
  shoppers: number;
  /** Simulated opening time. */
  minutes: number;
  /** `standard`: every hard case at its usual frequency; `hard`: more often, plus crowding. */
  difficulty: Difficulty;
}

export type SuiteName = 'quick' | 'standard' | 'hard';

export const SUITES: Readonly<Record<SuiteName, { description: string; runs: readonly SuiteRun[] }>> = {
  quick: {
    description: 'CI smoke run: the kiosk, a few shoppers, a few minutes (well under a minute to run).',
    runs: [{ store: 'examples/kiosk.yaml', shoppers: 8, minutes: 6, difficulty: 'standard' }],
  },
  standard: {
    description: 'Both example stores, several hundred visits, every hard case at its usual frequency.',
    runs: [
      { store: 'examples/kiosk.yaml', shoppers: 80, minutes: 60, difficulty: 'standard' },
      { store: 'examples/convenience.yaml', shoppers: 250, minutes: 60, difficulty: 'standard' },
    ],
  },
  hard: {
    description: 'Hard difficulty and crowding: hard cases far more often, device faults, a full store.',
    runs: [
      { store: 'examples/kiosk.yaml', shoppers: 60, minutes: 30, difficulty: 'hard' },
      { store: 'examples/convenience.yaml', shoppers: 200, minutes: 40, difficulty: 'hard' },
    ],
  },
};

export const SUITE_NAMES = Object.keys(SUITES) as SuiteName[];

export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as string[]).includes(name);
}

/**
 * The runs to do: the suite's, or only those of one store file when `--store` is given. A store that is not in
 * the suite runs with the suite's first setup (so `--store my-shop.yaml` benchmarks any layout).
 */
export function selectRuns(suite: SuiteName, store?: string): SuiteRun[] {
  const runs = SUITES[suite].runs;
  if (store === undefined) return [...runs];
  const same = runs.filter((r) => r.store === store || store.endsWith(r.store));
  if (same.length > 0) return same;
  const first = runs[0]!;
  return [{ ...first, store }];
}
