/**
 * Receipts before and after review, and the oracle reviewer. Before review a session is charged what the engine
 * decided by itself (its final receipt, or its automatic cart lines when a review case still holds it). After
 * review an oracle has answered every case with the truth through the engine's own `resolveReview`, and sessions
 * the cases touched are charged all their cart lines, but for a reviewer's line that came after the receipt was
 * final: the shopper journey charges nothing after a final receipt (only found items are refunded then). Pure.
 */
import { isCharged } from '../cart/ledger.ts';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { ReviewAlternative, ReviewCase } from '../review/types.ts';
import type { TruthInteraction } from '../sim/truth.ts';
import type { ScoredReceipt } from './score-receipts.ts';

/** Folds cart lines into one receipt: units per SKU summed, SKUs at or below zero dropped, priced per line. */
export function foldLines(visit: string, lines: readonly Pick<CartLine, 'sku' | 'qty' | 'unitPrice'>[]): ScoredReceipt {
  const bySku = new Map<string, { qty: number; unitPrice: number }>();
  for (const l of lines) {
    const cur = bySku.get(l.sku) ?? { qty: 0, unitPrice: l.unitPrice };
    bySku.set(l.sku, { qty: cur.qty + l.qty, unitPrice: l.unitPrice });
  }
  const out = [...bySku].filter(([, v]) => v.qty > 0).map(([sku, v]) => ({ sku, name: sku, ...v }));
  return { visit, lines: out, total: out.reduce((s, l) => s + l.qty * l.unitPrice, 0) };
}

interface SessionView {
  shoppers: string[];
  finals: Map<string, ScoredReceipt>;
  lines: Map<string, CartLine[]>;
  /** Lines after the session's receipt was final (an item found on the floor): the journey refunds them. */
  afterFinal: Map<string, CartLine[]>;
  touchedByReview: Set<string>;
}

function view(events: readonly EngineEvent[]): SessionView {
  const v: SessionView = {
    shoppers: [],
    finals: new Map(),
    lines: new Map(),
    afterFinal: new Map(),
    touchedByReview: new Set(),
  };
  for (const e of events) {
    if (e.type === 'session.opened' && !e.data.staff) v.shoppers.push(e.data.sessionId);
    else if (e.type === 'receipt.final') v.finals.set(e.data.visit, e.data);
    else if (e.type === 'review.opened') for (const s of e.data.blocking) v.touchedByReview.add(s);
    else if (e.type === 'cart.line') {
      v.lines.set(e.data.sessionId, [...(v.lines.get(e.data.sessionId) ?? []), e.data]);
      if (v.finals.has(e.data.sessionId))
        v.afterFinal.set(e.data.sessionId, [...(v.afterFinal.get(e.data.sessionId) ?? []), e.data]);
      if (e.data.evidence.reviewCaseId !== undefined) v.touchedByReview.add(e.data.sessionId);
    }
  }
  return v;
}

function sessionsOf(v: SessionView): string[] {
  return [...new Set([...v.shoppers, ...v.finals.keys(), ...v.lines.keys()])];
}

/** What the engine charges with nobody answering the review queue. */
export function receiptsBeforeReview(events: readonly EngineEvent[]): ScoredReceipt[] {
  const v = view(events);
  return sessionsOf(v).map((s) => {
    const auto = (v.lines.get(s) ?? []).filter((l) => l.evidence.reviewCaseId === undefined);
    return finalWithLater(v, s) ?? foldLines(s, auto);
  });
}

/** A final receipt with what changed it later (refunded), or undefined before the receipt was final. */
function finalWithLater(v: SessionView, s: string): ScoredReceipt | undefined {
  const final = v.finals.get(s);
  const later = v.afterFinal.get(s);
  return final && later ? foldLines(s, [...final.lines, ...later]) : final;
}

/** What the engine charges once every case is resolved; `events` includes the resolutions and their lines. */
export function receiptsAfterReview(events: readonly EngineEvent[]): ScoredReceipt[] {
  const v = view(events);
  return sessionsOf(v).map((s) => {
    const final = finalWithLater(v, s);
    return final && !v.touchedByReview.has(s) ? final : foldLines(s, (v.lines.get(s) ?? []).filter(isCharged));
  });
}

/**
 * The oracle's answer to a case: charge the truth items to the shopper visit that truly did it; when several
 * shoppers' takes merged into one event, the one with the most units first and the others `with` it. Nobody
 * (staff, tailgater, no real change) gets `sessionId: null` with the true items so the plate stock is still
 * corrected.
 */
export function oracleChoice(
  truthIndices: readonly number[] | undefined,
  interactions: readonly TruthInteraction[],
  shopperVisits: ReadonlySet<string>,
): ReviewAlternative {
  const all = new Map<string, number>();
  const byVisit = new Map<string, Map<string, number>>();
  for (const k of truthIndices ?? []) {
    const i = interactions[k]!;
    if (i.sku === null) continue;
    all.set(i.sku, (all.get(i.sku) ?? 0) + i.qty);
    if (i.visit === null || !shopperVisits.has(i.visit)) continue;
    const items = byVisit.get(i.visit) ?? new Map<string, number>();
    items.set(i.sku, (items.get(i.sku) ?? 0) + i.qty);
    byVisit.set(i.visit, items);
  }
  const toItems = (m: Map<string, number>) => [...m].filter(([, q]) => q !== 0).map(([sku, qty]) => ({ sku, qty }));
  const units = (m: Map<string, number>) => [...m.values()].reduce((s, q) => s + Math.abs(q), 0);
  const [best, ...others] = [...byVisit].filter(([, m]) => units(m) > 0).sort((a, b) => units(b[1]) - units(a[1]));
  if (!best) return { sessionId: null, items: toItems(all), probability: 1 };
  const shared = others.map(([sessionId, m]) => ({ sessionId, items: toItems(m) }));
  return { sessionId: best[0], items: toItems(best[1]), ...(shared.length ? { with: shared } : {}), probability: 1 };
}

/** Review cases still open at the end of a run (opened and never resolved), in the order they opened. */
export function openCases(events: readonly EngineEvent[]): ReviewCase[] {
  const resolved = new Set(events.flatMap((e) => (e.type === 'review.resolved' ? [e.data.caseId] : [])));
  return events.flatMap((e) => (e.type === 'review.opened' && !resolved.has(e.data.caseId) ? [e.data] : []));
}
