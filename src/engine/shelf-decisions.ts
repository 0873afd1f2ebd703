/**
 * Turns each shelf event into a decision: gather the shoppers whose hands were near the plate, ask fusion (or the
 * baseline policy) who took what, then write cart lines, move plate stock, or open a review case. Review
 * resolutions come back here and become cart lines too.
 */
import type { CartLine } from '../cart/types.ts';
import { type FusionContext, type FusionDecision, type ShopperCandidate, decideShelfEvent } from '../fusion/attribute.ts';
import { DEFAULT_FUSION_CONFIG } from '../fusion/config.ts';
import type { SessionBook } from '../identity/session-book.ts';
import type { ReviewAlternative, ReviewCase } from '../review/types.ts';
import type { Box } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { TrackQuery } from '../vision/types.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import { baselineDecision } from './baseline-policy.ts';
import type { CheckoutFlow } from './checkout-flow.ts';
import type { EngineEvent } from './events.ts';
import type { PlateStock } from './plate-stock.ts';
import type { EnginePolicy } from './types.ts';

/** Hands are looked for from this long before the touch began to this long after the shelf settled. */
const HAND_WINDOW_BEFORE_MS = 1_500;
const HAND_WINDOW_AFTER_MS = 500;
/** Shoppers whose wrists came within this distance of the plate are candidates. */
const HAND_RADIUS_M = 1.2;

export interface ShelfDecisionDeps {
  store: Store;
  vision: TrackQuery | null;
  sessions: SessionBook;
  stock: PlateStock;
  checkout: CheckoutFlow;
  emit: (event: EngineEvent) => void;
  policy: EnginePolicy;
  commitThreshold: number;
}

interface OpenCase {
  review: ReviewCase;
  event: ShelfEvent;
  /** Items the plate stock was moved by when the case opened (the top alternative's). */
  applied: ItemCount[];
}

export class ShelfDecisions {
  private readonly cases = new Map<string, OpenCase>();
  private readonly lines = new Map<string, CartLine[]>();

  constructor(private readonly deps: ShelfDecisionDeps) {}

  onShelfEvent(event: ShelfEvent): void {
    const { emit, policy } = this.deps;
    emit({ type: 'shelf.event', t: event.tDecided, data: event });
    const ctx = this.context(event);
    const decision: FusionDecision =
      policy === 'baseline'
        ? baselineDecision(event, ctx)
        : decideShelfEvent(event, ctx, { ...DEFAULT_FUSION_CONFIG, commitThreshold: this.deps.commitThreshold });
    if (decision.kind === 'commit') {
      this.moveStock(event, decision.items);
      if (decision.sessionId) this.addLines(decision.sessionId, decision.items, event.tDecided, decision.confidence, { shelfEventId: event.id });
      return;
    }
    this.openCase(event, decision);
  }

  private context(event: ShelfEvent): FusionContext {
    const { vision, sessions, store } = this.deps;
    const box = eventBox(store, event);
    const evidence = vision?.handsNear(box, event.tStart - HAND_WINDOW_BEFORE_MS, event.tSettled + HAND_WINDOW_AFTER_MS, HAND_RADIUS_M) ?? [];
    const candidates: ShopperCandidate[] = evidence.map((e) => {
      const session = sessions.sessionOfTrack(e.trackId);
      return { sessionId: session?.sessionId ?? null, trackId: e.trackId, staff: session?.staff ?? false, evidence: e };
    });
    return {
      candidates,
      silentPlate: event.flags.includes('silent-plate') || event.flags.includes('lost-batches'),
      camerasDegraded: vision ? vision.camerasDegraded(box, event.tChange) : store.def.mode === 'multi-shopper',
      sessionsInside: sessions.inside().map((s) => s.sessionId),
      mode: store.def.mode,
      cartOf: (sessionId) => this.cartContents(sessionId),
    };
  }

  private openCase(event: ShelfEvent, decision: Extract<FusionDecision, { kind: 'review' }>): void {
    const caseId = `R-${event.id}`;
    const top = decision.alternatives[0];
    const applied = top?.items ?? [];
    this.moveStock(event, applied);
    const blocking = [...new Set(decision.alternatives.map((a) => a.sessionId).filter((s): s is string => s !== null))];
    const review: ReviewCase = { caseId, shelfEventId: event.id, opened: event.tDecided, reason: decision.reason, alternatives: decision.alternatives, blocking };
    this.cases.set(caseId, { review, event, applied });
    this.deps.emit({ type: 'review.opened', t: event.tDecided, data: review });
  }

  resolve(caseId: string, choice: ReviewAlternative, reviewer: string, t: number) {
    const open = this.cases.get(caseId);
    if (!open) return { ok: false as const, code: 'NO_SUCH_CASE' as const, reason: `no open review case ${caseId}` };
    this.cases.delete(caseId);
    // The plate moved by the top alternative when the case opened; correct it to the chosen items.
    const undo = open.applied.map((i) => ({ sku: i.sku, qty: -i.qty }));
    this.moveStock(open.event, [...undo, ...choice.items]);
    this.deps.emit({ type: 'review.resolved', t, data: { caseId, choice, reviewer, t } });
    if (choice.sessionId) this.addLines(choice.sessionId, choice.items, t, 1, { shelfEventId: open.event.id, reviewCaseId: caseId });
    return { ok: true as const };
  }

  private moveStock(event: ShelfEvent, items: readonly ItemCount[]): void {
    const plateId = event.plateIds[0];
    if (plateId) this.deps.stock.apply(plateId, items);
  }

  private addLines(sessionId: string, items: readonly ItemCount[], t: number, confidence: number, evidence: CartLine['evidence']): void {
    const session = this.deps.sessions.get(sessionId);
    if (!session || session.staff) return;
    const lines = this.lines.get(sessionId) ?? [];
    for (const { sku, qty } of items) {
      if (qty === 0) continue;
      const line: CartLine = {
        lineId: `${sessionId}/${lines.length + 1}`,
        sessionId,
        kind: qty > 0 ? 'add' : 'remove',
        sku,
        qty,
        unitPrice: this.deps.store.products.get(sku)?.price ?? 0,
        evidence,
        confidence,
        t,
      };
      lines.push(line);
      this.deps.emit({ type: 'cart.line', t, data: line });
    }
    this.lines.set(sessionId, lines);
  }

  cartContents(sessionId: string): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const line of this.lines.get(sessionId) ?? []) out.set(line.sku, (out.get(line.sku) ?? 0) + line.qty);
    return out;
  }

  linesOf(sessionId: string): readonly CartLine[] {
    return this.lines.get(sessionId) ?? [];
  }

  /** True while an open review case may still change this session's cart. */
  blocks(sessionId: string): boolean {
    for (const c of this.cases.values()) if (c.review.blocking.includes(sessionId)) return true;
    return false;
  }

  openCases(): ReviewCase[] {
    return [...this.cases.values()].map((c) => c.review);
  }

  carts(): Record<string, { lines: CartLine[]; total: number }> {
    const out: Record<string, { lines: CartLine[]; total: number }> = {};
    for (const [sessionId, lines] of this.lines) {
      out[sessionId] = { lines: [...lines], total: lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0) };
    }
    return out;
  }
}

/** The union of the reach volumes of the plates an event touched. */
function eventBox(store: Store, event: ShelfEvent): Box {
  const boxes = event.plateIds.map((id) => store.plates.get(id)?.reachBox).filter((b): b is Box => b !== undefined);
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, b.min[i]!);
      max[i] = Math.max(max[i]!, b.max[i]!);
    }
  }
  return { min, max };
}
