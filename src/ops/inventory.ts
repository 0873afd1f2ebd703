/**
 * Inventory: a pure projection of the engine's decisions onto the shelves. Per plate, units on hand per SKU with an
 * uncertainty (picks, put-backs, misplaced items, staff restocks, what nobody was charged for), and a reconciliation
 * against the plate's own weight: the grams its events reported and, when readings are given, the grams it weighs
 * now. Driven only by event time; the server feeds it, the alerts read it.
 *
 * The engine moves a plate's stock once per shelf event by the decided items. Those items are visible in the events
 * as its decision (`shelf.decided`, also when it charged nobody: staff, a tailgater, a bump), or a review case's top
 * alternative (and `maybeOnPlate`, what other likely answers put back, held there too until the reviewer says). In a
 * log from before decisions were logged, the cart lines that cite the event stand in, or with none the weight stage's
 * best hypothesis.
 */
import type { EngineEvent } from '../engine/events.ts';
import { allItems, resolutionMoves } from '../review/types.ts';
import type { Store } from '../store/store.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import { itemVariance, reviewVariance } from './stock-math.ts';

export { likelySkuForGrams } from './stock-math.ts';

export type MovementKind =
  | 'pick'
  | 'return'
  | 'misplaced-return'
  | 'misplaced-pick'
  | 'restock'
  | 'staff-pick'
  | 'shrink'
  | 'unattributed-put'
  | 'nothing'
  | 'recount';

/** One decided change to a plate, newest state (a review case's movement changes when it is resolved). */
export interface Movement {
  shelfEventId: string;
  plateId: string;
  t: number;
  kind: MovementKind;
  /** Units that left (qty > 0) or reached (qty < 0) the plate. */
  items: ItemCount[];
  /** The session charged, or null. */
  sessionId: string | null;
  /** Probability the items are right (1 after review or a recount). */
  confidence: number;
  state: 'committed' | 'in-review' | 'reviewed';
  caseId?: string;
  /** While in review: put-backs other likely answers made, held on the plate too (ReviewCase.maybeOnPlate). */
  maybeOnPlate?: ItemCount[];
  /** Grams the weight stage saw leave this plate (negative: arrived). */
  grams: number;
}

export interface SkuStock {
  sku: string;
  units: number;
  /** One standard deviation of `units`, from decisions made with less than full confidence since the last check. */
  sd: number;
  /** Capacity of this SKU on the plate; 0 for an item that does not belong here (misplaced). */
  capacity: number;
  misplaced: boolean;
}

export interface PlateInventory {
  plateId: string;
  fixtureId: string;
  shelfId: string;
  stock: SkuStock[];
  /** Grams the plate's stock should weigh, from units × mean unit weight. */
  expectedGrams: number;
  /**
   * Weight change the shelf events reported since the baseline minus the change the decided units explain; positive:
   * the plate holds more weight than its units account for (an unrecognised item put here).
   */
  eventResidualGrams: number;
  /** Measured weight change since the first reading minus the change the units explain (same sign); null before one. */
  driftGrams: number | null;
  /** Grams of difference the plate's own noise and unit spread allow. */
  toleranceGrams: number;
  lastReconciled: number | null;
  lastConfirmed: number | null;
  lastMovement: number | null;
  /** Shelf events on this plate still waiting for a reviewer: the counts may move when they are answered. */
  inReview: number;
}

export interface InventoryOptions {
  /** Units per plate and SKU at the start; default: full (capacity), as the engine assumes. */
  initial?: Record<string, Record<string, number>>;
  /** Movements kept for the views (oldest dropped first). */
  keepMovements?: number;
  /** Noise of a settled plate reading, grams (the tolerance's floor). */
  sensorSigmaGrams?: number;
}

interface PlateLedger {
  units: Map<string, number>;
  /** Variance of each SKU's count since the last confirmation, by the movement that added it. */
  variance: Map<string, Map<string, number>>;
  /** Expected grams and summed event grams at the baseline (the last recount or the start). */
  baseExpected: number;
  eventGramsSinceBase: number;
  /**
   * Grams (removal-positive) this plate lost for units booked on another since the baseline: an item resting across
   * two plates comes off the first's count, while each plate's reading moves by its own share.
   */
  acrossGrams: number;
  /**
   * First reading after the baseline, the expected grams then, and the shelf events then in review: a reviewer's
   * answer to one of those corrects what the plate held at that reading too.
   */
  readingBase: { t: number; measured: number; expected: number; across: number; inReview: Set<string> } | null;
  drift: number | null;
  lastReconciled: number | null;
  lastConfirmed: number | null;
  lastMovement: number | null;
  reviewing: Set<string>;
  /** SKUs staff counted while a shelf event here was in review: its answer does not move what they counted. */
  countedInReview: Map<string, Set<string>>;
}

/** A shelf event waits here until the decision that follows it (cart lines, a review case, or nothing) is known. */
interface Pending {
  event: ShelfEvent;
  t: number;
  lines: ItemCount[];
  /** Every unit the engine's decision moved (its `shelf.decided`, every share of a merged take). */
  decided: ItemCount[] | null;
  sessionId: string | null;
  confidence: number;
  review: { caseId: string; items: ItemCount[]; maybe: ItemCount[]; variance: Map<string, number> } | null;
}

/**
 * A plate read after its weight changed but before the decision on that change was logged (a race waits seconds for
 * it, [F18]) weighed items the counts did not yet show: its drift, or the tare it anchored, is wrong. Forgotten; the
 * next settled reading measures again.
 */
function forgetReadingsAfter(ledger: PlateLedger, t: number): void {
  if (ledger.lastReconciled === null || ledger.lastReconciled <= t) return;
  ledger.drift = null;
  if (ledger.readingBase && ledger.readingBase.t > t) ledger.readingBase = null;
}

export class Inventory {
  private readonly plates = new Map<string, PlateLedger>();
  private readonly movements: Movement[] = [];
  private readonly byEvent = new Map<string, Movement>();
  private readonly caseEvents = new Map<string, string>();
  private readonly staff = new Set<string>();
  private readonly openSessions = new Set<string>();
  private pending: Pending | null = null;
  private readonly keep: number;
  private readonly sigma: number;

  constructor(
    private readonly store: Store,
    options: InventoryOptions = {},
  ) {
    this.keep = options.keepMovements ?? 5_000;
    this.sigma = options.sensorSigmaGrams ?? 3;
    for (const [plateId, info] of store.plates) {
      const given = options.initial?.[plateId];
      const units = new Map(info.plate.skus.map((sku, i) => [sku, given?.[sku] ?? info.plate.capacity[i] ?? 0]));
      const ledger: PlateLedger = {
        units,
        variance: new Map(),
        baseExpected: 0,
        eventGramsSinceBase: 0,
        acrossGrams: 0,
        readingBase: null,
        drift: null,
        lastReconciled: null,
        lastConfirmed: null,
        lastMovement: null,
        reviewing: new Set(),
        countedInReview: new Map(),
      };
      ledger.baseExpected = this.expectedGrams(ledger.units);
      this.plates.set(plateId, ledger);
    }
  }

  /** Feeds one engine decision, in the order the engine emitted them. */
  apply(event: EngineEvent): void {
    const attached = this.attachToPending(event);
    if (attached) return;
    this.settle();
    switch (event.type) {
      case 'session.opened':
        this.openSessions.add(event.data.sessionId);
        if (event.data.staff) this.staff.add(event.data.sessionId);
        break;
      case 'session.closed':
        this.openSessions.delete(event.data.sessionId);
        break;
      case 'shelf.event':
        this.pending = {
          event: event.data,
          t: event.t,
          lines: [],
          decided: null,
          sessionId: null,
          confidence: 1,
          review: null,
        };
        break;
      case 'review.resolved':
        this.resolveCase(event.data.caseId, allItems(event.data.choice), event.data.choice.sessionId, event.t);
        break;
      case 'stock.counted':
        this.recount(event.data.plateId, event.data.counts, event.t);
        break;
      default:
        break;
    }
  }

  /** The engine emits a shelf event's decision, cart lines or review case right after it; anything else closes it. */
  private attachToPending(event: EngineEvent): boolean {
    const p = this.pending;
    if (!p) return false;
    if (event.type === 'shelf.decided' && event.data.shelfEventId === p.event.id) {
      p.decided = allItems(event.data);
      p.sessionId = event.data.sessionId;
      p.confidence = event.data.confidence;
      return true;
    }
    if (event.type === 'cart.line' && event.data.evidence.shelfEventId === p.event.id) {
      if (event.data.evidence.reviewCaseId !== undefined) return false;
      p.lines.push({ sku: event.data.sku, qty: event.data.qty });
      p.sessionId = event.data.sessionId;
      p.confidence = Math.min(p.confidence, event.data.confidence);
      return true;
    }
    if (event.type === 'review.opened' && event.data.shelfEventId === p.event.id) {
      const top = event.data.alternatives[0];
      p.review = {
        caseId: event.data.caseId,
        items: top ? allItems(top) : [],
        maybe: event.data.maybeOnPlate ?? [],
        variance: reviewVariance(event.data.alternatives),
      };
      p.sessionId = top?.sessionId ?? null;
      p.confidence = top?.probability ?? 0;
      return true;
    }
    return false;
  }

  /** Closes the pending shelf event: the decision that followed it is now complete. */
  settle(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const plateId = p.event.plateIds[0];
    const ledger = plateId ? this.plates.get(plateId) : undefined;
    for (const [id, grams] of Object.entries(p.event.gramsByPlate)) {
      const other = this.plates.get(id);
      if (!other) continue;
      forgetReadingsAfter(other, p.event.tChange);
      other.eventGramsSinceBase += grams;
      // The units move on the first plate only: each other plate's share is weight it lost for them.
      if (ledger && other !== ledger) {
        other.acrossGrams += grams;
        ledger.acrossGrams -= grams;
      }
    }
    if (!plateId || !ledger) return;
    const fallback = p.event.hypotheses[0];
    const decided = p.review?.items ?? p.decided ?? (p.lines.length > 0 ? p.lines : null);
    const items = decided ?? fallback?.items ?? [];
    const confidence = decided ? p.confidence : (fallback?.probability ?? 0);
    this.move(ledger, items);
    if (p.review) this.move(ledger, p.review.maybe);
    const variance = p.review?.variance ?? itemVariance(items, confidence);
    if (variance.size > 0) ledger.variance.set(p.event.id, variance);
    ledger.lastMovement = p.t;
    const movement: Movement = {
      shelfEventId: p.event.id,
      plateId,
      t: p.t,
      kind: this.kindOf(plateId, items, p.lines.length > 0 || p.sessionId !== null),
      items,
      sessionId: p.sessionId,
      confidence,
      state: p.review ? 'in-review' : 'committed',
      grams: p.event.gramsByPlate[plateId] ?? p.event.grams,
      ...(p.review ? { caseId: p.review.caseId } : {}),
      ...(p.review && p.review.maybe.length > 0 ? { maybeOnPlate: p.review.maybe } : {}),
    };
    if (p.review) {
      this.caseEvents.set(p.review.caseId, p.event.id);
      ledger.reviewing.add(p.event.id);
    }
    this.record(movement);
  }

  private resolveCase(caseId: string, items: ItemCount[], sessionId: string | null, t: number): void {
    const eventId = this.caseEvents.get(caseId);
    const movement = eventId ? this.byEvent.get(eventId) : undefined;
    const ledger = movement ? this.plates.get(movement.plateId) : undefined;
    if (!movement || !ledger || !eventId) return;
    // Undo what the engine applied when the case opened and the choice does not share, then apply the rest of it,
    // but for what staff counted meanwhile: the count already holds the truth.
    const { undo, apply } = resolutionMoves([...movement.items, ...(movement.maybeOnPlate ?? [])], items);
    const counted = ledger.countedInReview.get(eventId);
    ledger.countedInReview.delete(eventId);
    const uncounted = (i: ItemCount) => !counted?.has(i.sku);
    const expectedBefore = this.expectedGrams(ledger.units);
    this.move(
      ledger,
      undo.filter(uncounted).map((i) => ({ sku: i.sku, qty: -i.qty })),
    );
    this.move(ledger, apply.filter(uncounted));
    // The answer corrects what the plate held at a reading or a recount made while the case was open.
    const shift = this.expectedGrams(ledger.units) - expectedBefore;
    const base = ledger.readingBase;
    if (base?.inReview.delete(eventId)) base.expected += shift;
    if (counted) ledger.baseExpected += shift;
    delete movement.maybeOnPlate;
    ledger.variance.delete(eventId);
    ledger.reviewing.delete(eventId);
    movement.items = items;
    movement.sessionId = sessionId;
    movement.confidence = 1;
    movement.state = 'reviewed';
    movement.kind = this.kindOf(movement.plateId, items, sessionId !== null);
    ledger.lastMovement = t;
  }

  /** Mirrors the engine's plate stock: never below zero; a foreign SKU appears when one is put back here. */
  private move(ledger: PlateLedger, items: readonly ItemCount[]): void {
    for (const { sku, qty } of items) {
      const next = Math.max(0, (ledger.units.get(sku) ?? 0) - qty);
      if (next === 0 && !ledger.units.has(sku)) continue;
      ledger.units.set(sku, next);
    }
  }

  private kindOf(plateId: string, items: readonly ItemCount[], charged: boolean): MovementKind {
    const own = new Set(this.store.plates.get(plateId)?.plate.skus ?? []);
    const net = items.reduce((s, i) => s + i.qty, 0);
    if (items.length === 0 || net === 0) return 'nothing';
    const foreign = items.some((i) => !own.has(i.sku));
    if (charged) {
      if (net > 0) return foreign ? 'misplaced-pick' : 'pick';
      return foreign ? 'misplaced-return' : 'return';
    }
    const staffInside = [...this.openSessions].some((s) => this.staff.has(s));
    if (net > 0) return staffInside ? 'staff-pick' : 'shrink';
    return staffInside ? 'restock' : 'unattributed-put';
  }

  private record(movement: Movement): void {
    this.movements.push(movement);
    this.byEvent.set(movement.shelfEventId, movement);
    while (this.movements.length > this.keep) {
      const old = this.movements.shift();
      if (old && old.state !== 'in-review') this.byEvent.delete(old.shelfEventId);
    }
  }

  /**
   * Checks a plate against a settled reading (absolute grams: tare + stock). The load cell's tare is unknown, so
   * the first reading after a baseline anchors it; later ones compare the weight change with the unit change.
   * Within tolerance the counts are confirmed and their uncertainty cleared.
   */
  reconcile(plateId: string, measuredGrams: number, t: number): { driftGrams: number | null; confirmed: boolean } {
    this.settle();
    const ledger = this.plates.get(plateId);
    if (!ledger) return { driftGrams: null, confirmed: false };
    const expected = this.expectedGrams(ledger.units);
    ledger.lastReconciled = t;
    const across = ledger.acrossGrams;
    if (!ledger.readingBase) {
      ledger.readingBase = { t, measured: measuredGrams, expected, across, inReview: new Set(ledger.reviewing) };
      ledger.drift = 0;
      return { driftGrams: 0, confirmed: false };
    }
    const base = ledger.readingBase;
    const drift = measuredGrams - base.measured - (expected - base.expected - (across - base.across));
    ledger.drift = drift;
    const confirmed = Math.abs(drift) <= this.tolerance(ledger);
    if (confirmed) {
      ledger.variance.clear();
      ledger.lastConfirmed = t;
    }
    return { driftGrams: drift, confirmed };
  }

  /** A staff count: sets a SKU's units on a plate and makes this the new baseline for the weight checks. */
  recount(plateId: string, counts: Record<string, number>, t: number): boolean {
    this.settle();
    const ledger = this.plates.get(plateId);
    if (!ledger) return false;
    const before = new Map(ledger.units);
    for (const [sku, units] of Object.entries(counts)) ledger.units.set(sku, Math.max(0, Math.round(units)));
    const items = [...ledger.units].map(([sku, units]) => ({ sku, qty: (before.get(sku) ?? 0) - units }));
    ledger.variance.clear();
    ledger.baseExpected = this.expectedGrams(ledger.units);
    ledger.eventGramsSinceBase = 0;
    ledger.acrossGrams = 0;
    ledger.readingBase = null;
    for (const id of ledger.reviewing) {
      const counted = ledger.countedInReview.get(id) ?? new Set();
      for (const sku of Object.keys(counts)) counted.add(sku);
      ledger.countedInReview.set(id, counted);
    }
    ledger.drift = null;
    ledger.lastConfirmed = t;
    ledger.lastMovement = t;
    const id = `count:${plateId}:${t}`;
    const moved = items.filter((i) => i.qty !== 0);
    this.record({
      shelfEventId: id,
      plateId,
      t,
      kind: 'recount',
      items: moved,
      sessionId: null,
      confidence: 1,
      state: 'committed',
      grams: 0,
    });
    return true;
  }

  private expectedGrams(units: ReadonlyMap<string, number>): number {
    let grams = 0;
    for (const [sku, n] of units) grams += n * (this.store.products.get(sku)?.unitWeight.mean ?? 0);
    return grams;
  }

  /** Three standard deviations of the units' spread and the sensor's noise, and never less than 5 g. */
  private tolerance(ledger: PlateLedger): number {
    let variance = 2 * this.sigma * this.sigma;
    for (const [sku, n] of ledger.units) {
      const sd = this.store.products.get(sku)?.unitWeight.sd ?? 0;
      variance += n * sd * sd;
    }
    return Math.max(5, 3 * Math.sqrt(variance));
  }

  plate(plateId: string): PlateInventory | null {
    this.settle();
    const ledger = this.plates.get(plateId);
    const info = this.store.plates.get(plateId);
    if (!ledger || !info) return null;
    const expected = this.expectedGrams(ledger.units);
    const variance = new Map<string, number>();
    for (const perSku of ledger.variance.values())
      for (const [sku, v] of perSku) variance.set(sku, (variance.get(sku) ?? 0) + v);
    const stock: SkuStock[] = [...ledger.units].map(([sku, units]) => {
      const index = info.plate.skus.indexOf(sku);
      return {
        sku,
        units,
        sd: Math.sqrt(variance.get(sku) ?? 0),
        capacity: index >= 0 ? (info.plate.capacity[index] ?? 0) : 0,
        misplaced: index < 0,
      };
    });
    // Removal-positive event grams: the plate should have lost what its units lost.
    const unitsLostGrams = ledger.baseExpected - expected;
    return {
      plateId,
      fixtureId: info.fixture.id,
      shelfId: info.shelf.id,
      stock,
      expectedGrams: expected,
      eventResidualGrams: unitsLostGrams + ledger.acrossGrams - ledger.eventGramsSinceBase,
      driftGrams: ledger.drift,
      toleranceGrams: this.tolerance(ledger),
      lastReconciled: ledger.lastReconciled,
      lastConfirmed: ledger.lastConfirmed,
      lastMovement: ledger.lastMovement,
      inReview: ledger.reviewing.size,
    };
  }

  allPlates(): PlateInventory[] {
    return [...this.store.plates.keys()].map((id) => this.plate(id)).filter((p): p is PlateInventory => p !== null);
  }

  /** Units per plate per SKU, the same shape as the engine snapshot's `stock`. */
  stock(): Record<string, Record<string, number>> {
    this.settle();
    return Object.fromEntries([...this.plates].map(([id, l]) => [id, Object.fromEntries(l.units)]));
  }

  /** Recent movements, newest first; optionally only those of one plate or kind. */
  recentMovements(filter: { plateId?: string; kind?: MovementKind; limit?: number } = {}): Movement[] {
    this.settle();
    const out: Movement[] = [];
    for (let i = this.movements.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const m = this.movements[i]!;
      if (filter.plateId && m.plateId !== filter.plateId) continue;
      if (filter.kind && m.kind !== filter.kind) continue;
      out.push(m);
    }
    return out;
  }
}
