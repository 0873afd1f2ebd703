/**
 * Turns each shelf event into a decision: gather the shoppers whose hands were near the plate, ask fusion (or the
 * baseline policy) who took what, then write cart lines, move plate stock, or open a review case. Review
 * resolutions come back here and become cart lines too, and so do items handed between shoppers (hands that met
 * in the aisle, decided once the giver's pick has landed).
 */
import { CartLedger, isCharged, linesFromDecision, linesFromHandoff } from '../cart/ledger.ts';
import type { CartLine } from '../cart/types.ts';
import {
  decideShelfEvent,
  type FusionContext,
  type FusionDecision,
  type ShopperCandidate,
} from '../fusion/attribute.ts';
import { type FusionConfig, handWindow } from '../fusion/config.ts';
import { decideHandoff, type HandoffSide } from '../fusion/handoff.ts';
import type { SessionBook } from '../identity/session-book.ts';
import { linesForResolution, ReviewQueue } from '../review/queue.ts';
import {
  allItems,
  type ChargeShare,
  charges,
  choiceProblem,
  type ReviewAlternative,
  type ReviewCase,
  resolutionMoves,
} from '../review/types.ts';
import { type LaneRow, laneRow } from '../store/lanes.ts';
import type { Box, Vec2 } from '../store/schema.ts';
import type { PlateInfo, Store } from '../store/store.ts';
import type { HandMeet } from '../vision/hand-meets.ts';
import type { TrackQuery } from '../vision/types.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import { baselineDecision } from './baseline-policy.ts';
import type { EngineEvent } from './events.ts';
import type { PlateStock } from './plate-stock.ts';
import type { EnginePolicy } from './types.ts';

export interface ShelfDecisionDeps {
  store: Store;
  vision: TrackQuery | null;
  sessions: SessionBook;
  stock: PlateStock;
  emit: (event: EngineEvent) => void;
  policy: EnginePolicy;
  fusion: FusionConfig;
}

/** Units moved on one plate's stock. */
interface PlateMove extends ItemCount {
  plateId: string;
}

interface CaseRecord {
  event: ShelfEvent;
  /** How the plate stock was moved when the case opened (the top alternative's items, maybe more), plate by plate. */
  applied: PlateMove[];
}

export class ShelfDecisions {
  private readonly ledger = new CartLedger();
  private readonly queue = new ReviewQueue();
  private readonly records = new Map<string, CaseRecord>();
  private readonly lines = new Map<string, CartLine[]>();
  /**
   * Per session, the two latest items it was charged for taking off a shelf (oldest first), when each left the shelf
   * and where: a pick landing between a meeting and its decision must not hide the one before it.
   */
  private readonly lastPicks = new Map<string, { sku: string; t: number; at: Vec2 }[]>();
  /** Per session, when the latest shelf event sent to review that lists it happened. */
  private readonly lastInReview = new Map<string, number>();
  private readonly meets: HandMeet[] = [];
  /** Per track, when its hand was decided to have moved items (latest few): one hand lifts one item at a time [F18]. */
  private readonly lifts = new Map<string, number[]>();
  /**
   * Events bound for review, waiting `reliftWithinMs` for the decisions of events just after them (in order of `due`):
   * a hand that turns out to have lifted another item then was likely not this one's [F18]. Like an open case, each
   * holds its sessions' receipts and has moved the plate stock by its likeliest answers (`applied`) meanwhile; its
   * shelf event is logged once it is decided, just before its cart lines or case.
   */
  private readonly waiting: { event: ShelfEvent; due: number; blocking: string[]; applied: PlateMove[] }[] = [];
  private readonly priceOf = (sku: string) => this.deps.store.products.get(sku)?.price;

  constructor(private readonly deps: ShelfDecisionDeps) {}

  onShelfEvent(event: ShelfEvent): void {
    // What fell due before this event is decided first, so the log keeps event time in order.
    this.advance(event.tDecided);
    this.decide(event, event.tDecided, this.deps.fusion.reliftWithinMs > 0);
  }

  /** Decides an event at event time `at`; one bound for review between two hands or more may wait first [F18]. */
  private decide(event: ShelfEvent, at: number, mayWait: boolean): void {
    const ctx = this.context(event);
    const decision: FusionDecision =
      this.deps.policy === 'baseline' ? baselineDecision(event, ctx) : decideShelfEvent(event, ctx, this.deps.fusion);
    if (decision.kind === 'review' && mayWait && ctx.candidates.length >= 2) {
      this.wait(event, decision, at + this.deps.fusion.reliftWithinMs);
      return;
    }
    this.deps.emit({ type: 'shelf.event', t: at, data: event });
    if (decision.kind === 'review') {
      this.openCase(event, decision, at);
      return;
    }
    const { sessionId, items, confidence, reason } = decision;
    const shared = decision.with ? { with: decision.with } : {};
    const decided = { shelfEventId: event.id, sessionId, items, ...shared, confidence, reason };
    this.deps.emit({ type: 'shelf.decided', t: at, data: decided });
    this.recordLifts(decision.tracks, event.tChange);
    this.moveStock(event, allItems(decision));
    this.chargeAll(charges(decision), event, (share) =>
      linesFromDecision({ ...decision, ...share }, { id: event.id, tDecided: at }, this.priceOf),
    );
  }

  /** Charges every shopper a decision or a reviewer's choice names (a merged take names two); staff never. */
  private chargeAll(shares: readonly ChargeShare[], event: ShelfEvent, linesOf: (s: ChargeShare) => CartLine[]): void {
    for (const share of shares) {
      if (!this.deps.sessions.get(share.sessionId)?.staff) this.charge(share.sessionId, event, linesOf(share));
    }
  }

  /** Hands met between two people: decided `handoffSettleMs` later, once a pick just before it has landed. */
  onHandMeet(meet: HandMeet): void {
    this.meets.push(meet);
  }

  /** Decides the hand meetings and waiting races due by `t`, in the order they fell due. */
  advance(t: number): void {
    for (;;) {
      const meetDue = this.meets[0] ? this.meets[0].t + this.deps.fusion.handoffSettleMs : Number.POSITIVE_INFINITY;
      const raceDue = this.waiting[0]?.due ?? Number.POSITIVE_INFINITY;
      if (Math.min(meetDue, raceDue) > t || (this.meets.length === 0 && this.waiting.length === 0)) return;
      if (raceDue <= meetDue) {
        const race = this.waiting.shift()!;
        this.unmove(race.applied);
        this.decide(race.event, race.due, false);
      } else this.decideMeet(this.meets.shift()!);
    }
  }

  /** An event bound for review waits for the events after it, holding what an open case would [F18]. */
  private wait(event: ShelfEvent, decision: Extract<FusionDecision, { kind: 'review' }>, due: number): void {
    const blocking = this.hold(event, decision);
    const { applied } = this.moveLikeliest(event, decision.alternatives);
    const at = this.waiting.findIndex((w) => w.due > due);
    this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { event, due, blocking, applied });
  }

  private recordLifts(tracks: readonly string[], t: number): void {
    for (const trackId of tracks) this.lifts.set(trackId, [...(this.lifts.get(trackId) ?? []).slice(-3), t]);
    if (this.lifts.size <= LIFTS_KEPT) return;
    // Tracks that lifted nothing lately can no longer be near any event still to decide.
    for (const [trackId, times] of this.lifts) if (times.at(-1)! < t - LIFTS_FORGET_MS) this.lifts.delete(trackId);
  }

  /** How far (ms) from `t` this track's hand last moved an item at another decided event; undefined if never. */
  private liftGap(trackId: string, t: number): number | undefined {
    const times = this.lifts.get(trackId);
    return times ? Math.min(...times.map((s) => Math.abs(s - t))) : undefined;
  }

  flush(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  private decideMeet(meet: HandMeet): void {
    const side = (trackId: string): HandoffSide => {
      const session = this.deps.sessions.sessionOfTrack(trackId);
      if (!session || session.staff || session.state !== 'inside') return { trackId, sessionId: null };
      const pick = this.lastPicks
        .get(session.sessionId)
        ?.filter((p) => p.t <= meet.t)
        .at(-1);
      const held = pick && (this.ledger.contents(session.sessionId).get(pick.sku) ?? 0) > 0;
      const pendingPickT = this.lastInReview.get(session.sessionId);
      const pending = pendingPickT !== undefined && this.blocks(session.sessionId) ? { pendingPickT } : {};
      return { trackId, sessionId: session.sessionId, ...(held ? { lastPick: pick } : {}), ...pending };
    };
    const outcome = decideHandoff(meet, [side(meet.trackIds[0]), side(meet.trackIds[1])], this.deps.fusion);
    if (!outcome.ok) return;
    const { handoff } = outcome;
    this.deps.emit({ type: 'handoff', t: handoff.t, data: handoff });
    // The handed pick is gone from the giver's cart: only a pick after the meeting stays theirs.
    const after = this.lastPicks.get(handoff.fromSessionId)?.filter((p) => p.t > meet.t) ?? [];
    this.lastPicks.set(handoff.fromSessionId, after);
    this.append(linesFromHandoff(handoff, { confidence: handoff.confidence, t: handoff.t }, this.priceOf));
  }

  /** Appends a session's lines for a shelf event; an item taken off the shelf becomes its latest pick. */
  private charge(sessionId: string, event: ShelfEvent, lines: readonly CartLine[]): void {
    this.append(lines);
    const taken = lines.filter((l) => l.qty > 0).at(-1);
    const picks = this.lastPicks.get(sessionId) ?? [];
    const latest = picks.at(-1);
    if (!taken || (latest && latest.t > event.tChange)) return;
    const box = eventBox(this.deps.store, event);
    const at: Vec2 = [(box.min[0] + box.max[0]) / 2, (box.min[1] + box.max[1]) / 2];
    this.lastPicks.set(sessionId, [...picks.slice(-1), { sku: taken.sku, t: event.tChange, at }]);
  }

  /** Session events matter to the review queue's order (cases blocking a party that left come first). */
  observe(event: EngineEvent): void {
    if (event.type === 'session.closed') this.queue.apply(event);
  }

  private context(event: ShelfEvent): FusionContext {
    const { vision, sessions, store } = this.deps;
    const box = eventBox(store, event);
    const w = handWindow(event, this.deps.fusion);
    const near = vision?.handsNear(box, w.t0, w.t1, w.radius) ?? [];
    // Where each track's hand was at the change, however far: one seen away then was not in the plate.
    const atChange = new Map(
      (vision?.handsNear(box, w.tChange0, w.tChange1, Number.POSITIVE_INFINITY) ?? []).map((e) => [e.trackId, e]),
    );
    const inPlates = this.platesAtChange(event, w);
    const candidates: ShopperCandidate[] = near.map((evidence) => {
      const session = sessions.sessionOfTrack(evidence.trackId);
      return {
        sessionId: session?.sessionId ?? null,
        stray: !session && !sessions.isUnbound(evidence.trackId),
        trackId: evidence.trackId,
        staff: session?.staff ?? false,
        evidence,
        atChange: atChange.get(evidence.trackId),
        platesAtChange: inPlates.get(evidence.trackId),
        liftGapMs: this.liftGap(evidence.trackId, event.tChange),
      };
    });
    const inside = sessions.insideAt(event.tChange);
    const strays = candidates.some((c) => c.stray);
    const live = strays && vision ? vision.activeTracks(event.tChange).map((a) => a.trackId) : [];
    return {
      sessionsMissingTrack: strays ? sessions.sessionsMissingTrack(live) : [],
      candidates,
      silentPlate: event.flags.includes('silent-plate'),
      camerasDegraded: vision ? vision.camerasDegraded(box, event.tChange) : store.def.mode === 'multi-shopper',
      sessionsInside: inside.filter((s) => !s.staff).map((s) => s.sessionId),
      staffInside: inside.filter((s) => s.staff).map((s) => s.sessionId),
      mode: store.def.mode,
      cartOf: (sessionId) => this.ledger.contents(sessionId),
      unitWeightOf: (sku) => store.products.get(sku)?.unitWeight,
      lanes: laneRows(store, event.plateIds),
      platesHolding: (sku) =>
        event.plateIds.filter(
          (id) => (this.deps.stock.of(id).get(sku) ?? 0) > 0 || store.plates.get(id)?.plate.skus.includes(sku),
        ),
    };
  }

  /** For an event over several plates: per track, the plates whose reach volume a wrist was in around the change. */
  private platesAtChange(event: ShelfEvent, w: { tChange0: number; tChange1: number }): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const { vision, store } = this.deps;
    if (!vision || event.plateIds.length < 2) return out;
    for (const plateId of event.plateIds) {
      const box = store.plates.get(plateId)?.reachBox;
      if (!box) continue;
      for (const e of vision.handsNear(box, w.tChange0, w.tChange1, 0)) {
        if (e.entered) out.set(e.trackId, [...(out.get(e.trackId) ?? []), plateId]);
      }
    }
    return out;
  }

  /**
   * Moves the plate stock by the top answer and by what other likely answers put back: what another likely answer
   * returned may be on the plate too, so that a later pick of it is proposed (and not read as the top answer's
   * items) until the answer is known.
   */
  private moveLikeliest(
    event: ShelfEvent,
    alternatives: readonly ReviewAlternative[],
  ): { applied: PlateMove[]; maybe: ItemCount[] } {
    const top = alternatives[0];
    const applied = this.moveStock(event, top ? allItems(top) : []);
    const maybe = maybeReturned(alternatives, this.deps.fusion.holdMinProbability);
    applied.push(...this.moveStock(event, maybe));
    return { applied, maybe };
  }

  private unmove(moves: readonly PlateMove[]): void {
    for (const m of moves) this.deps.stock.apply(m.plateId, [{ sku: m.sku, qty: -m.qty }]);
  }

  /** The sessions an undecided event names, whose receipts (and handoffs) wait for it. */
  private hold(event: ShelfEvent, decision: Extract<FusionDecision, { kind: 'review' }>): string[] {
    const blocking = [...new Set(decision.alternatives.flatMap((a) => charges(a).map((c) => c.sessionId)))];
    for (const id of blocking) this.lastInReview.set(id, Math.max(this.lastInReview.get(id) ?? 0, event.tChange));
    return blocking;
  }

  private openCase(event: ShelfEvent, decision: Extract<FusionDecision, { kind: 'review' }>, at: number): void {
    const { applied, maybe } = this.moveLikeliest(event, decision.alternatives);
    const blocking = this.hold(event, decision);
    const review: ReviewCase = {
      caseId: `R-${event.id}`,
      shelfEventId: event.id,
      opened: at,
      reason: decision.reason,
      alternatives: decision.alternatives,
      confidence: decision.confidence,
      blocking,
      ...(maybe.length > 0 ? { maybeOnPlate: maybe } : {}),
    };
    this.records.set(review.caseId, { event, applied });
    this.emitAndQueue({ type: 'review.opened', t: at, data: review });
  }

  resolve(caseId: string, choice: ReviewAlternative, reviewer: string, t: number) {
    const queued = this.queue.get(caseId);
    const record = this.records.get(caseId);
    if (!queued || !record)
      return { ok: false as const, code: 'NO_SUCH_CASE' as const, reason: `no review case ${caseId}` };
    if (queued.state !== 'open') {
      return { ok: false as const, code: 'ALREADY_RESOLVED' as const, reason: `case ${caseId} is ${queued.state}` };
    }
    const problem = choiceProblem(choice, {
      hasProduct: (sku) => this.deps.store.products.has(sku),
      hasSession: (id) => this.deps.sessions.get(id) !== undefined,
    });
    if (problem) return { ok: false as const, code: 'BAD_CHOICE' as const, reason: problem };
    // The plates moved by the top alternative (and what others maybe put back) when the case opened: undo what the
    // choice does not share, then apply the rest of the chosen items.
    const { undo, apply } = resolutionMoves(record.applied, allItems(choice));
    this.unmove(undo);
    this.moveStock(record.event, apply);
    const resolution = { caseId, choice, reviewer, t };
    this.emitAndQueue({ type: 'review.resolved', t, data: resolution });
    this.chargeAll(charges(choice), record.event, (share) =>
      linesForResolution(queued, { ...resolution, choice: { ...share, probability: 1 } }, this.priceOf),
    );
    return { ok: true as const };
  }

  private emitAndQueue(event: EngineEvent): void {
    this.queue.apply(event);
    this.deps.emit(event);
  }

  /**
   * Moves plate stock by a decision's items. An event may span plates (an item resting on two): a pick comes off the
   * plate of the event (most grams first) that holds that SKU, a put-back lands on the plate that gained most.
   */
  private moveStock(event: ShelfEvent, items: readonly ItemCount[]): PlateMove[] {
    const moves: PlateMove[] = [];
    const first = event.plateIds[0];
    if (!first) return moves;
    for (const { sku, qty } of items) {
      if (qty === 0) continue;
      const holder = qty > 0 ? event.plateIds.find((id) => (this.deps.stock.of(id).get(sku) ?? 0) >= 1) : undefined;
      const plateId = holder ?? first;
      this.deps.stock.apply(plateId, [{ sku, qty }]);
      moves.push({ plateId, sku, qty });
    }
    return moves;
  }

  /**
   * Sessions holding at least one unit of `sku` now. A late line on a closed visit counts only if charged: a
   * reviewer's late answer is on no receipt, so a find cannot be refunded against it.
   */
  holding(sku: string): string[] {
    const units = (lines: CartLine[]) => lines.reduce((n, l) => (l.sku === sku && isCharged(l) ? n + l.qty : n), 0);
    return [...this.lines].filter(([, lines]) => units(lines) > 0).map(([sessionId]) => sessionId);
  }

  /**
   * Appends cart lines to the ledger and the log (also those decided outside a shelf event: items found). A line for
   * a closed session (its receipt final, or none: a timeout or a staff visit), such as a reviewer's late answer or an
   * item found on the floor, is marked `afterFinal`: it is on no receipt.
   */
  append(lines: readonly CartLine[]): void {
    for (const added of lines) {
      const afterFinal = this.deps.sessions.get(added.sessionId)?.state === 'closed';
      const line = afterFinal ? { ...added, afterFinal } : added;
      this.ledger.apply(line);
      const list = this.lines.get(line.sessionId) ?? [];
      list.push(line);
      this.lines.set(line.sessionId, list);
      this.deps.emit({ type: 'cart.line', t: line.t, data: line });
    }
  }

  linesOf(sessionId: string): readonly CartLine[] {
    return this.lines.get(sessionId) ?? [];
  }

  /** True while an open review case may still change this session's cart. */
  blocks(sessionId: string): boolean {
    return this.queue.holds(sessionId) || this.waiting.some((w) => w.blocking.includes(sessionId));
  }

  /**
   * The plate stock as the log tells it: without what races still waiting moved meanwhile, whose shelf events are not
   * logged yet (a projection seeded from it then moves them once, when they are).
   */
  loggedStock(): Record<string, Record<string, number>> {
    const out = this.deps.stock.toJSON();
    for (const { applied } of this.waiting) {
      for (const m of applied) {
        const plate = out[m.plateId] ?? {};
        plate[m.sku] = (plate[m.sku] ?? 0) + m.qty;
        out[m.plateId] = plate;
      }
    }
    return out;
  }

  /**
   * Decides now the races waiting on a plate, for a staff count there: the count is the truth after their changes,
   * so their moves must reach the log (and the stock) before it does.
   */
  decideWaitingOn(plateId: string, t: number): void {
    for (let i = 0; i < this.waiting.length; ) {
      const race = this.waiting[i]!;
      if (!race.event.plateIds.includes(plateId)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.unmove(race.applied);
      this.decide(race.event, t, false);
    }
  }

  /** True while a race between hands waits for the events after it [F18]. */
  racesWaiting(): boolean {
    return this.waiting.length > 0;
  }

  openCases(): ReviewCase[] {
    return this.queue.openCases();
  }

  carts(): Record<string, { lines: CartLine[]; total: number }> {
    const out: Record<string, { lines: CartLine[]; total: number }> = {};
    for (const [sessionId, lines] of this.lines)
      out[sessionId] = { lines: [...lines], total: this.ledger.view(sessionId).total };
    return out;
  }
}

/** Tracks whose lifts are kept before old ones are forgotten, and how old (ms) a forgotten one is. */
const LIFTS_KEPT = 256;
const LIFTS_FORGET_MS = 60_000;

/** The union of the reach volumes of the plates an event touched. */
function eventBox(store: Store, event: ShelfEvent): Box {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const id of event.plateIds) {
    const b = store.plates.get(id)?.reachBox;
    if (!b) continue;
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, b.min[i]!);
      max[i] = Math.max(max[i]!, b.max[i]!);
    }
  }
  return { min, max };
}

/** The event's plates as rows of lanes, one per shelf, as fusion reads them. */
function laneRows(store: Store, plateIds: readonly string[]): LaneRow[] {
  const byShelf = new Map<string, PlateInfo[]>();
  for (const id of plateIds) {
    const info = store.plates.get(id);
    if (info) byShelf.set(info.shelf.id, [...(byShelf.get(info.shelf.id) ?? []), info]);
  }
  return [...byShelf.values()].flatMap((infos) => laneRow(infos) ?? []);
}

/**
 * Units the other answers of a case at least `minProbability` likely put back of SKUs the top answer does not move,
 * each SKU once at its largest count (as put-backs: negative).
 */
function maybeReturned(alternatives: readonly ReviewAlternative[], minProbability: number): ItemCount[] {
  const [top, ...others] = alternatives;
  if (!top) return [];
  const moved = new Set(allItems(top).map((i) => i.sku));
  const units = new Map<string, number>();
  for (const a of others) {
    if (a.probability < minProbability) continue;
    for (const { sku, qty } of allItems(a)) {
      if (qty < 0 && !moved.has(sku)) units.set(sku, Math.min(units.get(sku) ?? 0, qty));
    }
  }
  return [...units].map(([sku, qty]) => ({ sku, qty }));
}
