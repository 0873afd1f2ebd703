/**
 * The planner: prices a store before it is built. For each layout variant (as designed, fewer cameras, weight only,
 * or the operator's own) it works out the bill of materials, the camera coverage of every plate front and, when the
 * simulator is available, the accuracy a short simulated run predicts; then it names the cheapest variant that meets
 * the target exact-receipt rate.
 */
import { join } from 'node:path';
import type { BenchDeps } from '../bench/run-bench.ts';
import type { Difficulty } from '../bench/suites.ts';
import { WalkoutError } from '../errors.ts';
import { polygonArea } from '../store/geometry.ts';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { lookAlikePlates } from '../weight/separation.ts';
import { type Bom, computeBom } from './bom.ts';
import { type CoverageResult, computeCoverage } from './coverage.ts';
import { defaultShoppers, type Prediction, type PredictionSetup, predict } from './plan-predict.ts';
import { buildVariants, defaultVariantSpecs, loadVariantSpecs } from './plan-variants.ts';
import { DEFAULT_PRICES_FILE, loadPriceBook, type PriceBook } from './prices.ts';

export interface PlanOptions {
  storeFile: string;
  variantsFile?: string;
  pricesFile?: string;
  /** Where variant store files are written for the simulated runs (the output folder). */
  workDir: string;
  /** Target exact-receipt rate, 0..1. */
  target: number;
  seed: number;
  shoppers?: number;
  minutes: number;
  difficulty: Difficulty;
  /** Skip the simulated runs (bill and coverage only). */
  skipPrediction?: boolean;
  progress?: (line: string) => void;
}

export interface VariantPlan {
  name: string;
  description: string;
  slug: string;
  mode: string;
  cameras: number;
  bom: Bom;
  coverage: CoverageResult;
  prediction: Prediction | null;
  meetsTarget: boolean | null;
}

export interface PlanResult {
  store: {
    id: string;
    name: string;
    file: string;
    mode: string;
    floorAreaM2: number;
    plates: number;
    fixtures: number;
  };
  prices: { file: string; date: string; currency: string; estimate: boolean };
  target: number;
  setup: PredictionSetup | null;
  variants: VariantPlan[];
  recommendation: { variant: string | null; reason: string };
  notes: string[];
}

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'variant'
  );
}

function load<T>(result: { ok: true; value: T } | { ok: false; code: string; reason: string }): T {
  if (!result.ok) throw new WalkoutError(result.code, result.reason);
  return result.value;
}

/** The plan, and each variant's store by slug (for drawing). */
export interface PlanRun {
  plan: PlanResult;
  stores: Map<string, Store>;
}

export async function runPlan(options: PlanOptions, bench: BenchDeps | null): Promise<PlanRun> {
  const store = load(loadStoreFile(options.storeFile));
  const pricesFile = options.pricesFile ?? DEFAULT_PRICES_FILE;
  const book = load(loadPriceBook(pricesFile));
  const specs = options.variantsFile ? load(loadVariantSpecs(options.variantsFile)) : defaultVariantSpecs(store.def);
  const variants = load(buildVariants(store.def, specs));
  const area = polygonArea(store.def.floor.outline);
  const notes: string[] = [];
  const predicting = !options.skipPrediction && bench !== null;
  if (!options.skipPrediction && bench === null) notes.push('simulator not available: accuracy not predicted.');
  const setup: PredictionSetup | null = predicting
    ? {
        shoppers: options.shoppers ?? defaultShoppers(area, options.minutes),
        minutes: options.minutes,
        seed: options.seed,
        difficulty: options.difficulty,
      }
    : null;
  const plans: VariantPlan[] = [];
  const stores = new Map<string, Store>();
  for (const v of variants) {
    let slug = slugify(v.name);
    while (stores.has(slug)) slug = `${slug}-x`;
    stores.set(slug, v.store);
    options.progress?.(`variant ${v.name}: bill and coverage…`);
    const bom = computeBom(v.store, book);
    const coverage = computeCoverage(v.store);
    let prediction: Prediction | null = null;
    if (setup && bench) {
      options.progress?.(`variant ${v.name}: simulating ${setup.shoppers} visits over ${setup.minutes} min…`);
      prediction = await predict(v.store, slug, join(options.workDir, 'variants'), setup, bench);
    }
    const meetsTarget = prediction?.exactReceiptRate == null ? null : prediction.exactReceiptRate >= options.target;
    plans.push({
      name: v.name,
      description: v.description,
      slug,
      mode: v.store.def.mode,
      cameras: v.store.def.cameras.length,
      bom,
      coverage,
      prediction,
      meetsTarget,
    });
  }
  notes.push(...standardNotes(book, setup));
  const lookAlikes = lookAlikePlates(store);
  if (lookAlikes.length > 0) {
    notes.push(
      `${lookAlikes.length} plate(s) mix products weight cannot tell apart (e.g. ${lookAlikes[0]!.skus.join(' / ')} on ` +
        `${lookAlikes[0]!.plateId}): picks there go to review. \`walkout store check\` lists them; split them across plates.`,
    );
  }
  const plan: PlanResult = {
    store: storeSummary(store, options.storeFile, area),
    prices: { file: pricesFile, date: book.date, currency: book.currency, estimate: book.estimate },
    target: options.target,
    setup,
    variants: plans,
    recommendation: recommend(plans, options.target),
    notes,
  };
  return { plan, stores };
}

function storeSummary(store: Store, file: string, area: number): PlanResult['store'] {
  return {
    id: store.def.id,
    name: store.def.name,
    file,
    mode: store.def.mode,
    floorAreaM2: area,
    plates: store.plates.size,
    fixtures: store.def.fixtures.length,
  };
}

function standardNotes(book: PriceBook, setup: PredictionSetup | null): string[] {
  const notes = [
    `prices are ${book.estimate ? 'ESTIMATES' : 'the given prices'} dated ${book.date} (${book.currency}); edit the price file for real quotes.`,
    'coverage: a plate counts as seen by a camera when ≥60 % of the sample points on its front edge (8 cm out, 14 cm above the plate) project inside the image, in front of the lens, with no fixture in between.',
  ];
  if (setup) {
    notes.push(
      `accuracy from one short simulated run per variant (seed ${setup.seed}, ${setup.shoppers} visits, ${setup.minutes} min, ${setup.difficulty}); the interval is the 95 % Wilson interval over visits, so a short run is a rough guide.`,
      'compute is the engine’s CPU seconds per store-hour on this machine; pose detection on camera frames (the edge box’s GPU) is not included.',
    );
  }
  return notes;
}

/** The cheapest variant whose predicted exact-receipt rate meets the target; else the most accurate one. */
export function recommend(plans: readonly VariantPlan[], target: number): PlanResult['recommendation'] {
  const scored = plans.filter((p) => p.prediction?.exactReceiptRate != null);
  if (scored.length === 0) return { variant: null, reason: 'no accuracy was predicted: choose on bill and coverage.' };
  const meeting = scored.filter((p) => p.meetsTarget).sort((a, b) => a.bom.total - b.bom.total);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  if (meeting.length > 0) {
    const best = meeting[0]!;
    return {
      variant: best.name,
      reason: `cheapest variant predicted at or above the ${pct(target)} exact-receipt target (${pct(best.prediction!.exactReceiptRate!)}).`,
    };
  }
  const best = [...scored].sort((a, b) => b.prediction!.exactReceiptRate! - a.prediction!.exactReceiptRate!)[0]!;
  return {
    variant: best.name,
    reason: `no variant reached the ${pct(target)} target; this one came closest (${pct(best.prediction!.exactReceiptRate!)}).`,
  };
}
