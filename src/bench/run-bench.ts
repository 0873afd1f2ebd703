/**
 * One benchmark run: for each store of a suite, simulate it and feed every message, as it is produced, to two
 * engines in this process (Walkout and the baseline policy), timing only the engines' CPU. Then an oracle answers
 * every review case still open through the engine's own `resolveReview`, and both runs are scored against the
 * simulator's truth. The simulator, engine factory and tracking metrics are passed in, so tests can drive the
 * whole pipeline with small fakes.
 */
import { resolve } from 'node:path';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineOptions } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { topicFor } from '../protocol/topics.ts';
import type { GroundTruth } from '../sim/truth.ts';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { openCases, oracleChoice, receiptsAfterReview, receiptsBeforeReview } from './after-review.ts';
import { summarizeCase } from './case-list.ts';
import {
  type BenchResult,
  type CostFigures,
  type LostIdentity,
  type PolicyFigures,
  policyFigures,
  type StoreResult,
  type TrackingFigures,
} from './report.ts';
import { scoreEvents } from './score-events.ts';
import { DropBook, scoreFound } from './score-found.ts';
import { scoreHandoffs } from './score-handoffs.ts';
import { scoreReceipts } from './score-receipts.ts';
import { type Difficulty, type SuiteName, type SuiteRun, selectRuns } from './suites.ts';
import { TrackSampler } from './tracking.ts';
import { heldProducts, wrongCauses } from './wrong-causes.ts';

export interface SimulationOptions {
  seed: number;
  shoppers: number;
  minutes: number;
  difficulty: Difficulty;
}

/** The simulator's entry point (src/sim/simulate.ts): emits every device message in order, returns the truth. */
export type Simulate = (
  store: Store,
  options: SimulationOptions,
  onMessage: (message: RecordedMessage) => void,
) => GroundTruth | Promise<GroundTruth>;

/** Tracking metrics of the sampled tracks against the truth (bench/tracking.ts over src/vision/metrics.ts). */
export type TrackingScorer = (truth: GroundTruth, sampler: TrackSampler) => TrackingFigures;

export interface BenchDeps {
  simulate: Simulate;
  createEngine: (options: EngineOptions) => Engine;
  tracking: TrackingScorer | null;
  /** Process-wide peak resident set in MB. */
  peakRssMb: () => number;
  cpuMicros: () => number;
}

export interface BenchOptions {
  suite: SuiteName;
  store?: string;
  seed: number;
  /** Repository root the suite's store paths are relative to. */
  root: string;
  progress?: (line: string) => void;
}

export const defaultMeters = {
  peakRssMb: () => process.resourceUsage().maxRSS / 1024,
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
};

/** An engine fed message by message, its CPU time summed over ingest and finish only. */
class TimedEngine {
  readonly events: EngineEvent[] = [];
  readonly engine: Engine;
  cpuMicros = 0;
  private readonly cpu: () => number;

  constructor(deps: BenchDeps, store: Store, policy: 'walkout' | 'baseline') {
    this.engine = deps.createEngine({
      store,
      authorizer: createDemoAuthorizer(),
      sink: (e) => this.events.push(e),
      policy,
    });
    this.cpu = deps.cpuMicros;
  }

  timed(work: () => void): void {
    const before = this.cpu();
    work();
    this.cpuMicros += this.cpu() - before;
  }
}

function costOf(engine: TimedEngine, messages: number, storeSeconds: number, peakRssMb: number): CostFigures {
  const cpuSeconds = engine.cpuMicros / 1e6;
  return {
    messagesPerCpuSecond: cpuSeconds > 0 ? messages / cpuSeconds : null,
    realTimeFactor: cpuSeconds > 0 ? storeSeconds / cpuSeconds : null,
    peakRssMb,
  };
}

/**
 * The oracle says whose each find left to staff was, as staff would: a `found.assign` message from a handheld,
 * naming the visit that dropped it (one of the candidates when one did; each drop answers one find, and `book` has
 * already given out the drops of the engine's own decisions). A dropper whose cart no longer holds the item (the pick was charged to someone else) is refused
 * by the engine, and that receipt stays wrong.
 */
function answerFinds(engine: Engine, store: Store, book: DropBook): void {
  for (const find of engine.snapshot().found) {
    const named = new Set(find.candidates.map((c) => c.sessionId));
    const sessionId = book.take(find.sku, find.t, (v) => named.has(v)) ?? book.take(find.sku, find.t, () => true);
    const payload = { v: 1, ts: engine.now() + 1, foundId: find.foundId, sessionId, staff: 'oracle' };
    engine.ingest(topicFor(store.def.id, 'found.assign', 'oracle'), payload);
  }
}

/** Scores one engine's run; answers its open review cases and finds with the oracle first. */
function scorePolicy(
  run: TimedEngine,
  truth: GroundTruth,
  store: Store,
  cost: CostFigures,
  tracking: TrackingFigures | null,
): PolicyFigures {
  const before = run.events.slice();
  const events = scoreEvents({ visits: truth.visits, interactions: truth.interactions, events: before });
  const shoppers = new Set(truth.visits.filter((v) => !v.staff).map((v) => v.visit));
  const cases = openCases(before);
  const caseList = cases.map((c) => {
    const choice = oracleChoice(events.matching.byEvent.get(c.shelfEventId), truth.interactions, shoppers);
    const outcome = run.engine.resolveReview(c.caseId, choice, 'oracle');
    if (!outcome.ok) throw new WalkoutError('BENCH_ORACLE', `oracle could not resolve ${c.caseId}: ${outcome.reason}`);
    return summarizeCase(c, choice);
  });
  // Scoring the engine's own finds first hands their drops out, so the oracle answers the rest from what is left.
  const book = new DropBook(truth.interactions, shoppers);
  const found = scoreFound(book, before);
  answerFinds(run.engine, store, book);
  const prices = new Map([...store.products].map(([sku, p]) => [sku, p.price]));
  const charged = receiptsBeforeReview(before);
  const receipts = scoreReceipts(truth.visits, charged, prices);
  const held = heldProducts(cases);
  const final = receiptsAfterReview(run.events);
  const afterReview = scoreReceipts(truth.visits, final, prices);
  return policyFigures({
    receipts,
    wrongBeforeReview: wrongCauses({ ...truth, perVisit: receipts.perVisit, receipts: charged, heldByReview: held }),
    afterReview,
    wrongAfterReview: wrongCauses({
      ...truth,
      perVisit: afterReview.perVisit,
      receipts: final,
      heldByReview: new Map(),
    }),
    events,
    cases: caseList,
    handoffs: scoreHandoffs(truth.interactions, truth.people, shoppers, run.events),
    found,
    tracking,
    cost,
  });
}

export async function benchStore(run: SuiteRun, seed: number, root: string, deps: BenchDeps): Promise<StoreResult> {
  const loaded = loadStoreFile(resolve(root, run.store));
  if (!loaded.ok) throw new WalkoutError('BENCH_STORE', `cannot load ${run.store}:\n${loaded.reason}`);
  const store = loaded.value;
  const ours = new TimedEngine(deps, store, 'walkout');
  const base = new TimedEngine(deps, store, 'baseline');
  // Tracks are sampled from the Walkout engine only: the baseline shares the same vision stage.
  const sampler = deps.tracking ? new TrackSampler() : null;
  let messages = 0;
  const truth = await deps.simulate(
    store,
    { seed, shoppers: run.shoppers, minutes: run.minutes, difficulty: run.difficulty },
    (m) => {
      messages += 1;
      ours.timed(() => ours.engine.ingest(m.topic, m.payload));
      const tick = sampler?.due(ours.engine.now());
      if (sampler && tick !== null && tick !== undefined) sampler.record(tick, ours.engine.snapshot().tracks);
      base.timed(() => base.engine.ingest(m.topic, m.payload));
    },
  );
  ours.timed(() => ours.engine.finish());
  base.timed(() => base.engine.finish());
  const storeSeconds = (truth.end - truth.start) / 1000;
  const rss = deps.peakRssMb();
  const notes = [
    'peak RSS is for the whole process (simulator and both engines).',
    'before review: each session is charged what the engine decided itself; after review: an oracle answered every case with the truth.',
  ];
  const tracking = sampler && deps.tracking ? deps.tracking(truth, sampler) : null;
  if (!tracking) notes.push('tracking metrics not measured.');
  else {
    notes.push(
      'tracking is measured once per second of store time on the shared vision stage (same for the baseline).',
    );
    if (tracking.identityLost.length > 0) notes.push(`identity not kept: ${describeLost(tracking.identityLost)}.`);
  }
  return {
    store: store.def.id,
    setup: { file: run.store, shoppers: run.shoppers, minutes: run.minutes, difficulty: run.difficulty },
    notes,
    ...scorePolicy(ours, truth, store, costOf(ours, messages, storeSeconds, rss), tracking),
    baseline: scorePolicy(base, truth, store, costOf(base, messages, storeSeconds, rss), tracking),
  };
}

export async function runBench(options: BenchOptions, deps: BenchDeps): Promise<BenchResult> {
  const stores: StoreResult[] = [];
  for (const run of selectRuns(options.suite, options.store)) {
    options.progress?.(`simulating ${run.store}: ${run.shoppers} shoppers, ${run.minutes} min, ${run.difficulty}…`);
    stores.push(await benchStore(run, options.seed, options.root, deps));
  }
  return { suite: options.suite, seed: options.seed, stores, notes: [] };
}

/** "p-0156 (visit …, T160 66 % of the visit, 1 switch)" for each person, for the report's notes. */
function describeLost(lost: readonly LostIdentity[]): string {
  return lost
    .map((l) => {
      const followed = l.trackId ? `${l.trackId} ${Math.round(l.coverage * 100)} % of the visit` : 'no track';
      return `${l.personId} (visit ${l.visit}, ${followed}, ${l.switches} switch${l.switches === 1 ? '' : 'es'})`;
    })
    .join('; ');
}
