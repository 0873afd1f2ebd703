/**
 * Event scoring: how well the engine saw, identified and attributed each shelf interaction, how fast carts and
 * receipts followed, how often a human was asked, and (confidence, correct) pairs for calibration. Reads the
 * engine's decision log and the simulator's truth; pure.
 *
 * Definitions (also in BENCHMARKS.md):
 * - precision / recall: engine shelf events matched to weight-moving truth interactions (see match-events.ts).
 * - weight identity: the event's most probable hypothesis equals the truth SKUs and quantities it explains.
 * - attribution: for a matched event the engine decided itself (no review case), the set of shopper sessions its
 *   cart lines net-charge equals the set of shopper visits that truly did it (empty for staff and tailgaters).
 * - a decision is correct when its net cart lines per (session, SKU) equal the truth per (visit, SKU); that is the
 *   `correct` of each calibration pair, whose confidence is the lowest confidence of the event's cart lines. A
 *   reviewed event gives a pair too (`reviewed`): the case's confidence, and whether its top alternative was right,
 *   so the reliability table and the threshold curve cover every decision, not only those above the threshold.
 * - latency: truth time an item left or reached the shelf → first cart line of its event; visit exit → first
 *   `receipt.final` of its session. Lines from review resolutions are not counted.
 */
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import { charges, type ReviewCase } from '../review/types.ts';
import type { TruthInteraction, TruthVisit } from '../sim/truth.ts';
import type { ShelfEvent } from '../weight/types.ts';
import { type EventMatching, MATCH_WINDOW_MS, matchShelfEvents } from './match-events.ts';
import { per1000, prf, ratio } from './stats.ts';

export interface CalibrationPair {
  confidence: number;
  correct: boolean;
  /** The engine sent it to review (its top alternative is what a lower threshold would have committed). */
  reviewed?: boolean;
}

export interface EventScore {
  truthEvents: number;
  engineEvents: number;
  matchedEvents: number;
  matchedTruth: number;
  precision: number;
  recall: number;
  weightIdentityAccuracy: number | null;
  /** Matched events the engine decided itself, and how many of those went to the right shoppers. */
  decidedMatched: number;
  attributionCorrect: number;
  attributionAccuracy: number | null;
  reviewCases: number;
  /** What holds the review cases, and how many the engine's top answer would have got right. */
  reviewKinds: ReviewKinds;
  reviewedEvents: number;
  /** Review cases per 1,000 engine shelf events, and shopper visits held by a review per 1,000 visits. */
  reviewEventsPer1000: number;
  reviewVisitsPer1000: number;
  shelfToCartMs: number[];
  exitToReceiptMs: number[];
  calibration: CalibrationPair[];
  matching: EventMatching;
}

/**
 * Review cases by their doubt, from the top answer and the runner-up: `merged` (the top answer shares a take between
 * shoppers), `who` (the runner-up names another session, or nobody against someone), `what` (the same session:
 * another item or quantity); `topRight`: reviewed events whose top answer was the truth.
 */
export interface ReviewKinds {
  who: number;
  what: number;
  merged: number;
  topRight: number;
}

function reviewKind(c: ReviewCase): 'who' | 'what' | 'merged' {
  const [top, second] = c.alternatives;
  if (top?.with?.length) return 'merged';
  return second && second.sessionId !== top?.sessionId ? 'who' : 'what';
}

export interface DecisionLog {
  shelfEvents: Map<string, ShelfEvent>;
  /** Cart lines decided by the engine itself (not from a review resolution), by shelf event id. */
  autoLines: Map<string, CartLine[]>;
  reviewCases: ReviewCase[];
  receiptFinalAt: Map<string, number>;
  staffSessions: Set<string>;
}

/** Splits the engine's event stream into what scoring reads; the last shelf event of an id wins. */
export function readDecisionLog(events: readonly EngineEvent[]): DecisionLog {
  const log: DecisionLog = {
    shelfEvents: new Map(),
    autoLines: new Map(),
    reviewCases: [],
    receiptFinalAt: new Map(),
    staffSessions: new Set(),
  };
  for (const e of events) {
    if (e.type === 'shelf.event') log.shelfEvents.set(e.data.id, e.data);
    else if (e.type === 'cart.line') {
      const id = e.data.evidence.shelfEventId;
      if (id === undefined || e.data.evidence.reviewCaseId !== undefined) continue;
      log.autoLines.set(id, [...(log.autoLines.get(id) ?? []), e.data]);
    } else if (e.type === 'review.opened') log.reviewCases.push(e.data);
    else if (e.type === 'receipt.final' && !log.receiptFinalAt.has(e.data.visit)) {
      log.receiptFinalAt.set(e.data.visit, e.t);
    } else if (e.type === 'session.opened' && e.data.staff) log.staffSessions.add(e.data.sessionId);
  }
  return log;
}

/** Net units per "who|sku", dropping zeros; who is a shopper visit/session or nothing. */
function netByWho(entries: Iterable<{ who: string | null; sku: string; qty: number }>): Map<string, number> {
  const net = new Map<string, number>();
  for (const { who, sku, qty } of entries) {
    if (who === null) continue;
    const key = `${who}|${sku}`;
    net.set(key, (net.get(key) ?? 0) + qty);
  }
  for (const [k, v] of net) if (v === 0) net.delete(k);
  return net;
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function whoSet(net: Map<string, number>): Set<string> {
  return new Set([...net.keys()].map((k) => k.slice(0, k.lastIndexOf('|'))));
}

function topHypothesisCounts(e: ShelfEvent): Map<string, number> {
  let best = e.hypotheses[0];
  for (const h of e.hypotheses) if (best === undefined || h.probability > best.probability) best = h;
  return netByWho((best?.items ?? []).map((i) => ({ who: '', ...i })));
}

interface EventContext {
  interactions: readonly TruthInteraction[];
  shopperVisits: Set<string>;
  log: DecisionLog;
}

/** The decision an event's automatic cart lines make, in shopper terms (staff sessions count as nobody). */
function decided(ctx: EventContext, eventId: string): Map<string, number> {
  const lines = ctx.log.autoLines.get(eventId) ?? [];
  return netByWho(
    lines.map((l) => ({ who: ctx.log.staffSessions.has(l.sessionId) ? null : l.sessionId, sku: l.sku, qty: l.qty })),
  );
}

function truthFor(ctx: EventContext, indices: readonly number[]): Map<string, number> {
  return netByWho(
    indices.map((k) => {
      const i = ctx.interactions[k]!;
      return { who: i.visit !== null && ctx.shopperVisits.has(i.visit) ? i.visit : null, sku: i.sku!, qty: i.qty };
    }),
  );
}

/** A reviewed event's calibration pair: its confidence, and whether its top alternative matched the truth. */
function reviewedPair(
  ctx: EventContext,
  review: ReviewCase | undefined,
  truthItems: Map<string, number> | undefined,
): CalibrationPair | undefined {
  if (review?.confidence === undefined) return undefined;
  const top = review.alternatives[0];
  // Every share of the top answer: a merged take charges its partner too.
  const shares = top ? charges(top) : [];
  const net = netByWho(
    shares.flatMap(({ sessionId, items }) => {
      const who = ctx.log.staffSessions.has(sessionId) ? null : sessionId;
      return items.map((i) => ({ who, sku: i.sku, qty: i.qty }));
    }),
  );
  return { confidence: review.confidence, correct: sameCounts(net, truthItems ?? new Map()), reviewed: true };
}

export function scoreEvents(input: {
  visits: readonly TruthVisit[];
  interactions: readonly TruthInteraction[];
  events: readonly EngineEvent[];
  windowMs?: number;
}): EventScore {
  const log = readDecisionLog(input.events);
  const shopperVisits = new Set(input.visits.filter((v) => !v.staff).map((v) => v.visit));
  const ctx: EventContext = { interactions: input.interactions, shopperVisits, log };
  const shelfEvents = [...log.shelfEvents.values()];
  const matching = matchShelfEvents(input.interactions, shelfEvents, input.windowMs ?? MATCH_WINDOW_MS);
  const reviewed = new Set(log.reviewCases.map((c) => c.shelfEventId));
  const cases = new Map(log.reviewCases.map((c) => [c.shelfEventId, c]));

  let identityCorrect = 0;
  let decidedMatched = 0;
  let attributionCorrect = 0;
  const calibration: CalibrationPair[] = [];
  for (const e of shelfEvents) {
    const truthIdx = matching.byEvent.get(e.id);
    const truthItems = truthIdx ? truthFor(ctx, truthIdx) : undefined;
    if (truthIdx) {
      const itemsOnly = netByWho(
        truthIdx.map((k) => ({ who: '', sku: input.interactions[k]!.sku!, qty: input.interactions[k]!.qty })),
      );
      if (sameCounts(topHypothesisCounts(e), itemsOnly)) identityCorrect += 1;
    }
    if (reviewed.has(e.id)) {
      const pair = reviewedPair(ctx, cases.get(e.id), truthItems);
      if (pair) calibration.push(pair);
      continue;
    }
    const decision = decided(ctx, e.id);
    if (truthItems) {
      decidedMatched += 1;
      const truthWho = whoSet(truthItems);
      const decidedWho = whoSet(decision);
      if (truthWho.size === decidedWho.size && [...truthWho].every((w) => decidedWho.has(w))) attributionCorrect += 1;
    }
    const lines = log.autoLines.get(e.id) ?? [];
    if (lines.length > 0) {
      const confidence = Math.min(...lines.map((l) => l.confidence));
      calibration.push({ confidence, correct: truthItems !== undefined && sameCounts(decision, truthItems) });
    }
  }

  const { precision, recall } = prf(
    matching.byEvent.size,
    shelfEvents.length - matching.byEvent.size,
    matching.expected.length - matching.byTruth.size,
  );
  const reviewedVisits = new Set(log.reviewCases.flatMap((c) => c.blocking).filter((s) => shopperVisits.has(s)));
  const reviewKinds: ReviewKinds = { who: 0, what: 0, merged: 0, topRight: 0 };
  for (const c of new Map(log.reviewCases.map((c) => [c.caseId, c])).values()) reviewKinds[reviewKind(c)] += 1;
  reviewKinds.topRight = calibration.filter((p) => p.reviewed && p.correct).length;
  return {
    truthEvents: matching.expected.length,
    engineEvents: shelfEvents.length,
    matchedEvents: matching.byEvent.size,
    matchedTruth: matching.byTruth.size,
    precision,
    recall,
    weightIdentityAccuracy: ratio(identityCorrect, matching.byEvent.size),
    decidedMatched,
    attributionCorrect,
    attributionAccuracy: ratio(attributionCorrect, decidedMatched),
    reviewCases: new Set(log.reviewCases.map((c) => c.caseId)).size,
    reviewKinds,
    reviewedEvents: reviewed.size,
    reviewEventsPer1000: per1000(reviewed.size, shelfEvents.length),
    reviewVisitsPer1000: per1000(reviewedVisits.size, shopperVisits.size),
    shelfToCartMs: shelfToCart(ctx, matching),
    exitToReceiptMs: input.visits.flatMap((v) => {
      const at = log.receiptFinalAt.get(v.visit);
      return !v.staff && at !== undefined ? [at - v.exited] : [];
    }),
    calibration,
    matching,
  };
}

/** Truth shelf time of each shopper interaction → the first automatic cart line of the event it matched. */
function shelfToCart(ctx: EventContext, matching: EventMatching): number[] {
  const out: number[] = [];
  for (const k of matching.expected) {
    const eventId = matching.byTruth.get(k);
    const i = ctx.interactions[k]!;
    if (eventId === undefined) continue;
    if (i.visit === null || !ctx.shopperVisits.has(i.visit)) continue;
    const lines = ctx.log.autoLines.get(eventId) ?? [];
    if (lines.length === 0) continue;
    out.push(Math.min(...lines.map((l) => l.t)) - i.t);
  }
  return out;
}
