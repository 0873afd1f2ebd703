/**
 * The review console's picture of the queue: which cases come first (those holding a receipt back), and for each
 * case the evidence a reviewer weighs — the weight trace around the event, who stood where, the candidates and
 * items with their probabilities — and the staff decision a click turns into.
 */
import type { EngineSnapshot } from '../engine/types.ts';
import type { Session } from '../identity/types.ts';
import { allItems, charges, type ReviewAlternative, type ReviewCase } from '../review/types.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import type { CaseEvidence, CaseMemory, TrackPath } from './case-memory.ts';

/** Weight trace half-width around the event, ms. */
export const TRACE_HALF_WINDOW_MS = 5_000;

export type WeightTrace = (plateIds: string[], t0: number, t1: number) => Record<string, [number, number][]>;

export interface QueuedCase {
  reviewCase: ReviewCase;
  /** Sessions this case decides that have already left: their receipts wait on it. */
  waitingSessions: string[];
}

/** What the console shows of a shelf event: where and how much, not the stage's hypotheses. */
const SHOWN_SHELF_FIELDS = [
  'id',
  'fixtureId',
  'shelfId',
  'plateIds',
  'gramsByPlate',
  'grams',
  'tStart',
  'tChange',
  'tSettled',
  'flags',
] as const satisfies readonly (keyof ShelfEvent)[];

export type ShownShelfEvent = Pick<ShelfEvent, (typeof SHOWN_SHELF_FIELDS)[number]>;

function shownShelfEvent(ev: ShelfEvent): ShownShelfEvent {
  return Object.fromEntries(SHOWN_SHELF_FIELDS.map((k) => [k, ev[k]])) as ShownShelfEvent;
}

export interface ReviewView extends QueuedCase {
  openForMs: number;
  /** The event time the case is about (the weight change), and the trace window around it. */
  at: number;
  window: [number, number];
  /** Plates the event moved (from the shelf event, or from its id when the event itself was not seen). */
  plateIds: string[];
  shelfEvent: ShownShelfEvent | null;
  traces: Record<string, [number, number][]>;
  scene: TrackPath[];
  candidates: { sessionId: string | null; account: string | null; probability: number; trackIds: string[] }[];
}

/** Sessions a case could charge or whose receipt it blocks. */
function sessionsOf(c: ReviewCase): Set<string> {
  const ids = new Set(c.blocking);
  for (const alt of c.alternatives) for (const share of charges(alt)) ids.add(share.sessionId);
  return ids;
}

/** Cases holding back the receipt of someone who has left come first, then the oldest. */
export function orderQueue(reviews: readonly ReviewCase[], sessions: readonly Session[]): QueuedCase[] {
  const exited = new Set(sessions.filter((s) => s.state === 'exited').map((s) => s.sessionId));
  return reviews
    .map((reviewCase) => ({
      reviewCase,
      waitingSessions: [...sessionsOf(reviewCase)].filter((id) => exited.has(id)).sort(),
    }))
    .sort((a, b) => {
      const holds = Number(b.waitingSessions.length > 0) - Number(a.waitingSessions.length > 0);
      if (holds !== 0) return holds;
      if (a.reviewCase.opened !== b.reviewCase.opened) return a.reviewCase.opened - b.reviewCase.opened;
      return a.reviewCase.caseId < b.reviewCase.caseId ? -1 : 1;
    });
}

/** Probability per candidate session (summed over items), most likely first; `null` is "nobody". */
export function candidatesOf(c: ReviewCase, sessions: readonly Session[]): ReviewView['candidates'] {
  const byId = new Map<string | null, number>();
  for (const alt of c.alternatives) {
    for (const id of [alt.sessionId, ...(alt.with ?? []).map((w) => w.sessionId)]) {
      byId.set(id, (byId.get(id) ?? 0) + alt.probability);
    }
  }
  return [...byId]
    .map(([sessionId, probability]) => {
      const session = sessions.find((s) => s.sessionId === sessionId);
      return { sessionId, account: session?.account ?? null, probability, trackIds: session?.trackIds ?? [] };
    })
    .sort((a, b) => b.probability - a.probability);
}

/**
 * The weight stage names shelf events `<first plate>@<tChange>`: enough to show the right trace for a case whose
 * shelf event this process never saw (opened before the pages were mounted).
 */
export function parseShelfEventId(id: string): { plateId: string; tChange: number } | null {
  const m = /^(.+)@(\d+)$/.exec(id);
  return m ? { plateId: m[1]!, tChange: Number(m[2]) } : null;
}

/** Where a case's evidence lies: its plates and the weight change's time, with the trace window around it. */
function placeOf(c: ReviewCase, memory: CaseMemory) {
  const ev = memory.shelfEvent(c.shelfEventId);
  const named = ev ? null : parseShelfEventId(c.shelfEventId);
  const plateIds = ev?.plateIds ?? (named ? [named.plateId] : []);
  const at = ev?.tChange ?? named?.tChange ?? c.opened;
  const window: [number, number] = [at - TRACE_HALF_WINDOW_MS, at + TRACE_HALF_WINDOW_MS];
  return { ev, plateIds, at, window };
}

/**
 * The case's weight trace and scene, the fuller of what the buffers give now and what was kept: call it when the
 * case opens, so the evidence outlives the buffers.
 */
export function keepEvidence(
  c: ReviewCase,
  memory: CaseMemory,
  weightTrace: WeightTrace,
  { ev, plateIds, at, window } = placeOf(c, memory),
): CaseEvidence {
  let traces: Record<string, [number, number][]> = {};
  try {
    traces = plateIds.length ? weightTrace(plateIds, window[0], window[1]) : {};
  } catch {
    // Evidence storage may be missing in a bare setup; the rest of the case still helps the reviewer.
    traces = {};
  }
  const sceneEnd = Math.max((ev?.tSettled ?? at) + 1_000, ev?.tDecided ?? c.opened);
  return memory.keepEvidence(c.caseId, { traces, scene: memory.scene((ev?.tStart ?? at) - 3_000, sceneEnd) });
}

export function buildReviewQueue(snapshot: EngineSnapshot, memory: CaseMemory, weightTrace: WeightTrace): ReviewView[] {
  return orderQueue(snapshot.reviews, snapshot.sessions).map((queued) => {
    const c = queued.reviewCase;
    const place = placeOf(c, memory);
    const { ev, plateIds, at, window } = place;
    return {
      ...queued,
      openForMs: Math.max(0, snapshot.t - c.opened),
      at,
      window,
      plateIds,
      shelfEvent: ev ? shownShelfEvent(ev) : null,
      ...keepEvidence(c, memory, weightTrace, place),
      candidates: candidatesOf(c, snapshot.sessions),
    };
  });
}

/** What a reviewer's click says: one of the case's alternatives, "nobody", or a decision of their own. */
export type ReviewDecision =
  | { alternative: number }
  | { nobody: true }
  | { sessionId: string | null; items: ItemCount[] };

/**
 * Turns a decision into the engine's choice. "Nobody" keeps the items that left the shelf (stock still moved) but
 * charges no one; a staff decision is certain, so its probability is 1.
 */
export function choiceFor(
  c: ReviewCase,
  decision: ReviewDecision,
): { ok: true; choice: ReviewAlternative } | { ok: false; code: 'NO_SUCH_ALTERNATIVE'; reason: string } {
  if ('alternative' in decision) {
    const alt = c.alternatives[decision.alternative];
    if (!alt)
      return { ok: false, code: 'NO_SUCH_ALTERNATIVE', reason: `case has no alternative ${decision.alternative}` };
    return { ok: true, choice: { ...alt, items: alt.items.map((i) => ({ ...i })), probability: 1 } };
  }
  if ('nobody' in decision) {
    // Every unit of the outcome left the shelf, a merged take's partner share too.
    const source = c.alternatives.find((a) => a.sessionId === null) ?? c.alternatives[0];
    const items = source ? allItems(source) : [];
    return { ok: true, choice: { sessionId: null, items: items.map((i) => ({ ...i })), probability: 1 } };
  }
  return { ok: true, choice: { sessionId: decision.sessionId, items: decision.items, probability: 1 } };
}
