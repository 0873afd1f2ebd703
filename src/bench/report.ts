/**
 * The benchmark's result: the JSON shape `walkout bench --json` writes (and the HTML report reads), how one
 * policy's scores fold into it, and the fixed-width text table printed per store with Walkout beside the baseline.
 */
import { expectedCalibrationError, type ReliabilityBin, reliabilityTable } from '../fusion/calibration.ts';
import { type ReviewTradeoffPoint, reviewTradeoffCurve } from './calibration.ts';
import { type CaseSummary, formatCaseList } from './case-list.ts';
import type { RealDataPolicy, RealDataSection } from './real-data.ts';
import type { EventScore, ReviewKinds } from './score-events.ts';
import type { FoundScore } from './score-found.ts';
import type { HandoffScore } from './score-handoffs.ts';
import type { ReceiptScore } from './score-receipts.ts';
import { type Histogram, histogram, percentile } from './stats.ts';
import type { WrongCauses } from './wrong-causes.ts';

export interface TrackingFigures {
  idf1: number | null;
  mota: number | null;
  hota: number | null;
  identityKeptRate: number | null;
  /** Each visit member whose identity was not kept: where to start tracing a swap or a late track. */
  identityLost: LostIdentity[];
}

export interface LostIdentity {
  personId: string;
  visit: string;
  /** The track that followed them longest (null when none did). */
  trackId: string | null;
  /** Share of their time inside that track covered, and identity switches. */
  coverage: number;
  switches: number;
}

export interface CostFigures {
  messagesPerCpuSecond: number | null;
  /** Simulated store time / engine CPU time: 100 means one core keeps up with 100 stores like it. */
  realTimeFactor: number | null;
  /** Process-wide peak resident memory (simulator and both engines share the process). */
  peakRssMb: number;
}

/** Every figure measured for one policy on one store. Rates are fractions 0..1; null means "nothing to measure". */
export interface PolicyFigures {
  visits: number;
  exactReceiptRate: number | null;
  itemPrecision: number;
  itemRecall: number;
  itemF1: number;
  reviewVisitsPer1000: number;
  reviewEventsPer1000: number;
  /** Review cases by their doubt, and how many the top answer would have got right (score-events.ts). */
  reviewKinds: ReviewKinds;
  overchargedVisitsPer1000: number;
  underchargedVisitsPer1000: number;
  afterReview: { exactReceiptRate: number | null; itemF1: number };
  /** Visits whose receipt was not exact before review, each put down to one cause (wrong-causes.ts). */
  wrongBeforeReview: WrongCauses;
  /** The same once the oracle answered every case and find (nothing is held then). */
  wrongAfterReview: WrongCauses;
  /** Each review case: the engine's top answer beside the truth (case-list.ts). */
  cases: CaseSummary[];
  events: {
    precision: number;
    recall: number;
    weightIdentityAccuracy: number | null;
    attributionAccuracy: number | null;
  };
  tracking: TrackingFigures;
  /** Items handed between shoppers of two visits, and the engine's moves between carts (right ones matched). */
  handoffs: HandoffScore;
  /** Items shoppers dropped on the floor, those staff found, and whose cart the engine took them out of. */
  found: FoundScore;
  latency: {
    shelfToCartP50Ms: number | null;
    shelfToCartP95Ms: number | null;
    shelfToCartP99Ms: number | null;
    exitToReceiptP50Ms: number | null;
    exitToReceiptP95Ms: number | null;
  };
  cost: CostFigures;
  /** Extra detail (allowed by the contract): money, staff, counts, distributions for the HTML report. */
  revenueErrorAbs: number | null;
  revenueErrorSigned: number | null;
  missingReceipts: number;
  staffVisitsCharged: number;
  counts: { truthEvents: number; engineEvents: number; reviewCases: number; tp: number; fp: number; fn: number };
  calibration: { bins: ReliabilityBin[]; ece: number | null; thresholdCurve: ReviewTradeoffPoint[] };
  distributions: { shelfToCartMs: Histogram; exitToReceiptMs: Histogram };
}

export interface StoreResult extends PolicyFigures {
  store: string;
  setup: { file: string; shoppers: number; minutes: number; difficulty: string };
  notes: string[];
  baseline: PolicyFigures;
}

export interface BenchResult {
  suite: string;
  seed: number;
  stores: StoreResult[];
  /** The recorded AutoCheckout visit, when its data folder is present. */
  realData?: RealDataSection;
  notes: string[];
}

const SHELF_TO_CART_EDGES = [0, 250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000];
const EXIT_TO_RECEIPT_EDGES = [0, 1000, 2000, 3000, 4000, 5000, 7500, 10_000, 20_000, 60_000];

export interface PolicyInputs {
  receipts: ReceiptScore;
  afterReview: ReceiptScore;
  wrongBeforeReview: WrongCauses;
  wrongAfterReview: WrongCauses;
  events: EventScore;
  cases: CaseSummary[];
  handoffs: HandoffScore;
  found: FoundScore;
  tracking: TrackingFigures | null;
  cost: CostFigures;
}

export function policyFigures({
  receipts,
  afterReview,
  wrongBeforeReview,
  wrongAfterReview,
  events,
  cases,
  handoffs,
  found,
  tracking,
  cost,
}: PolicyInputs): PolicyFigures {
  const bins = reliabilityTable(events.calibration);
  return {
    visits: receipts.visits,
    exactReceiptRate: receipts.exactReceiptRate,
    itemPrecision: receipts.itemPrecision,
    itemRecall: receipts.itemRecall,
    itemF1: receipts.itemF1,
    reviewVisitsPer1000: events.reviewVisitsPer1000,
    reviewEventsPer1000: events.reviewEventsPer1000,
    reviewKinds: events.reviewKinds,
    overchargedVisitsPer1000: receipts.overchargedVisitsPer1000,
    underchargedVisitsPer1000: receipts.underchargedVisitsPer1000,
    afterReview: { exactReceiptRate: afterReview.exactReceiptRate, itemF1: afterReview.itemF1 },
    wrongBeforeReview,
    wrongAfterReview,
    cases,
    events: {
      precision: events.precision,
      recall: events.recall,
      weightIdentityAccuracy: events.weightIdentityAccuracy,
      attributionAccuracy: events.attributionAccuracy,
    },
    tracking: tracking ?? { idf1: null, mota: null, hota: null, identityKeptRate: null, identityLost: [] },
    handoffs,
    found,
    latency: {
      shelfToCartP50Ms: percentile(events.shelfToCartMs, 50),
      shelfToCartP95Ms: percentile(events.shelfToCartMs, 95),
      shelfToCartP99Ms: percentile(events.shelfToCartMs, 99),
      exitToReceiptP50Ms: percentile(events.exitToReceiptMs, 50),
      exitToReceiptP95Ms: percentile(events.exitToReceiptMs, 95),
    },
    cost,
    revenueErrorAbs: receipts.revenueErrorAbs,
    revenueErrorSigned: receipts.revenueErrorSigned,
    missingReceipts: receipts.missingReceipts,
    staffVisitsCharged: receipts.staffVisitsCharged,
    counts: {
      truthEvents: events.truthEvents,
      engineEvents: events.engineEvents,
      reviewCases: events.reviewCases,
      tp: receipts.tp,
      fp: receipts.fp,
      fn: receipts.fn,
    },
    calibration: {
      bins,
      ece: events.calibration.length > 0 ? expectedCalibrationError(events.calibration) : null,
      thresholdCurve: reviewTradeoffCurve(
        events.calibration,
        events.reviewedEvents - events.calibration.filter((p) => p.reviewed).length,
      ),
    },
    distributions: {
      shelfToCartMs: histogram(events.shelfToCartMs, SHELF_TO_CART_EDGES),
      exitToReceiptMs: histogram(events.exitToReceiptMs, EXIT_TO_RECEIPT_EDGES),
    },
  };
}

export type MetricRow = [
  label: string,
  pick: (f: PolicyFigures) => number | null,
  kind: 'rate' | 'per1000' | 'ms' | 'num',
];

export const METRIC_ROWS: MetricRow[] = [
  ['visits', (f) => f.visits, 'num'],
  ['exact receipts', (f) => f.exactReceiptRate, 'rate'],
  ['item precision', (f) => f.itemPrecision, 'rate'],
  ['item recall', (f) => f.itemRecall, 'rate'],
  ['item F1', (f) => f.itemF1, 'rate'],
  ['overcharged visits /1000', (f) => f.overchargedVisitsPer1000, 'per1000'],
  ['undercharged visits /1000', (f) => f.underchargedVisitsPer1000, 'per1000'],
  ['revenue error |Σ|', (f) => f.revenueErrorAbs, 'rate'],
  ['review visits /1000', (f) => f.reviewVisitsPer1000, 'per1000'],
  ['review events /1000', (f) => f.reviewEventsPer1000, 'per1000'],
  ['review cases: who', (f) => f.reviewKinds.who, 'num'],
  ['review cases: what', (f) => f.reviewKinds.what, 'num'],
  ['review cases: merged take', (f) => f.reviewKinds.merged, 'num'],
  ['review cases: top right', (f) => f.reviewKinds.topRight, 'num'],
  ['wrong: held by review', (f) => f.wrongBeforeReview.heldByReview, 'num'],
  ['wrong: dropped on floor', (f) => f.wrongBeforeReview.droppedOnFloor, 'num'],
  ['wrong: handed over', (f) => f.wrongBeforeReview.handedOver, 'num'],
  ['wrong: decided wrong', (f) => f.wrongBeforeReview.decidedWrong, 'num'],
  ['after review: exact', (f) => f.afterReview.exactReceiptRate, 'rate'],
  ['after review: item F1', (f) => f.afterReview.itemF1, 'rate'],
  ['after review: dropped on floor', (f) => f.wrongAfterReview.droppedOnFloor, 'num'],
  ['after review: handed over', (f) => f.wrongAfterReview.handedOver, 'num'],
  ['after review: decided wrong', (f) => f.wrongAfterReview.decidedWrong, 'num'],
  ['events precision', (f) => f.events.precision, 'rate'],
  ['events recall', (f) => f.events.recall, 'rate'],
  ['weight identity', (f) => f.events.weightIdentityAccuracy, 'rate'],
  ['attribution', (f) => f.events.attributionAccuracy, 'rate'],
  ['calibration error (ECE)', (f) => f.calibration.ece, 'rate'],
  ['tracking IDF1', (f) => f.tracking.idf1, 'rate'],
  ['tracking MOTA', (f) => f.tracking.mota, 'rate'],
  ['tracking HOTA', (f) => f.tracking.hota, 'rate'],
  ['identity kept', (f) => f.tracking.identityKeptRate, 'rate'],
  ['handoffs between visits', (f) => f.handoffs.handoffs, 'num'],
  ['handoffs moved right', (f) => f.handoffs.movedRight, 'num'],
  ['handoffs moved wrong', (f) => f.handoffs.moved - f.handoffs.movedRight, 'num'],
  ['dropped on the floor', (f) => f.found.drops, 'num'],
  ['found, off the right cart', (f) => f.found.decidedRight, 'num'],
  ['found, off a wrong cart', (f) => f.found.decided - f.found.decidedRight, 'num'],
  ['found, left to staff', (f) => f.found.found - f.found.decided, 'num'],
  ['shelf→cart p50', (f) => f.latency.shelfToCartP50Ms, 'ms'],
  ['shelf→cart p95', (f) => f.latency.shelfToCartP95Ms, 'ms'],
  ['shelf→cart p99', (f) => f.latency.shelfToCartP99Ms, 'ms'],
  ['exit→receipt p50', (f) => f.latency.exitToReceiptP50Ms, 'ms'],
  ['exit→receipt p95', (f) => f.latency.exitToReceiptP95Ms, 'ms'],
  ['messages / CPU s', (f) => f.cost.messagesPerCpuSecond, 'num'],
  ['real-time factor', (f) => f.cost.realTimeFactor, 'num'],
  ['peak RSS (MB)', (f) => f.cost.peakRssMb, 'num'],
];

export function formatValue(value: number | null, kind: MetricRow[2]): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (kind === 'rate') return `${(100 * value).toFixed(1)} %`;
  if (kind === 'per1000') return value.toFixed(1);
  if (kind === 'ms') return `${Math.round(value)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 1);
}

/** One fixed-width table for a store: Walkout beside the baseline. */
export function formatStoreTable(s: StoreResult): string {
  const head = `${s.store}  (${s.setup.shoppers} shoppers, ${s.setup.minutes} min, ${s.setup.difficulty})`;
  const lines = [
    head,
    '-'.repeat(head.length),
    `${'metric'.padEnd(28)}${'walkout'.padStart(12)}${'baseline'.padStart(12)}`,
  ];
  for (const [label, pick, kind] of METRIC_ROWS) {
    lines.push(
      `${label.padEnd(28)}${formatValue(pick(s), kind).padStart(12)}${formatValue(pick(s.baseline), kind).padStart(12)}`,
    );
  }
  for (const note of s.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function formatCharged(p: RealDataPolicy | null): string {
  if (!p) return '–';
  const items = p.charged.map((i) => `${i.qty}× ${i.sku}`).join(', ') || 'nothing';
  return `${items}; ${p.shelfEvents} shelf events, ${p.reviewCases} review cases, real-time factor ${formatValue(p.realTimeFactor, 'num')}`;
}

export function formatRealData(r: RealDataSection): string {
  const lines = [`real data: ${r.dataset}`, r.note];
  if (r.walkout || r.baseline)
    lines.push(`walkout charged:  ${formatCharged(r.walkout)}`, `baseline charged: ${formatCharged(r.baseline)}`);
  return lines.join('\n');
}

/** The printed report; with `cases`, each store's table is followed by Walkout's review cases and wrong receipts. */
export function formatReport(result: BenchResult, o: { cases?: boolean } = {}): string {
  const store = (s: StoreResult) =>
    o.cases
      ? `${formatStoreTable(s)}\n${formatCaseList(s.cases, s.wrongBeforeReview, s.wrongAfterReview)}`
      : formatStoreTable(s);
  const parts = [`walkout bench — suite ${result.suite}, seed ${result.seed}`, ...result.stores.map(store)];
  if (result.realData) {
    parts.push(formatRealData(result.realData));
  }
  for (const note of result.notes) parts.push(`note: ${note}`);
  return `${parts.join('\n\n')}\n`;
}
