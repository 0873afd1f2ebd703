/**
 * Items staff found on the floor, end to end [F17]: keeps where each session's people walk (sampled once a second
 * from the tracks), and on a find asks `decideFound` whose cart the item leaves. A decided find appends a
 * correction line (−1) to that cart, even after its receipt is final: the shopper journey refunds it then. Every
 * find is logged as `item.found` with its candidates, decided or not, for staff to see.
 */
import { linesFromFound } from '../cart/ledger.ts';
import { fail, ok, type Result } from '../errors.ts';
import {
  decideFound,
  FloorTrails,
  type FoundCandidate,
  type FoundConfig,
  type FoundDecision,
} from '../fusion/found.ts';
import type { SessionBook } from '../identity/session-book.ts';
import type { DeviceMessage } from '../protocol/messages.ts';
import type { Vec2 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { TrackPoint } from '../vision/types.ts';
import type { EngineEvent } from './events.ts';
import type { ShelfDecisions } from './shelf-decisions.ts';

export type ItemFoundMessage = Extract<DeviceMessage, { kind: 'item.found' }>;
export type FoundAssignMessage = Extract<DeviceMessage, { kind: 'found.assign' }>;

export interface FoundItem extends FoundDecision {
  foundId: string;
  handheldId: string;
  sku: string;
  at: Vec2;
  t: number;
  /** The decided session's receipt was already final: its correction is a refund (the shopper journey pays it). */
  afterFinal: boolean;
  /** The staff member who said whose it was, for a find first left to staff. */
  assignedBy?: string;
}

/** Trails, and finds past waiting, are pruned at most this often (ms of event time). */
const PRUNE_EVERY_MS = 60_000;
/**
 * A find nobody assigned within a day stops waiting, checked at the next find (it stays in the log as `item.found`
 * with nobody; the shopper can still dispute the line); a resent copy is recognised for as long.
 */
const WAIT_FOR_STAFF_MS = 24 * 3_600_000;

export class FoundItems {
  private readonly trails = new FloorTrails();
  private readonly pending = new Map<string, FoundItem>();
  /** Finds already reported (id → event time), so a handheld's resent message is not a second item. */
  private readonly seen = new Map<string, number>();
  private lastPrune = Number.NEGATIVE_INFINITY;
  private lastForget = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      store: Store;
      sessions: SessionBook;
      shelf: ShelfDecisions;
      emit: (event: EngineEvent) => void;
      /** False in stores without cameras: then nobody's trail is known and only carts tell candidates apart. */
      tracked: boolean;
      threshold: number;
      config: FoundConfig;
    },
  ) {}

  /** Where the tracks bound to shoppers' sessions stand at `t` (the engine calls this once a second). */
  observe(active: readonly { trackId: string; point: TrackPoint }[], t: number): void {
    for (const { trackId, point } of active) {
      const session = this.deps.sessions.sessionOfTrack(trackId);
      if (session && !session.staff) this.trails.record(session.sessionId, t, [point.x, point.y]);
    }
    if (t - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = t;
    this.trails.prune(t - this.deps.config.lookbackMs);
  }

  /** A find reported at event time `t`; its id comes from the handheld's own stamp, so a resent copy is known. */
  onFound(m: ItemFoundMessage, t: number): Result<true, 'DUPLICATE'> {
    const foundId = `found-${m.handheldId}-${m.ts}-${m.sku}`;
    if (this.seen.has(foundId)) return fail('DUPLICATE', `find ${foundId} was already reported`);
    this.forgetOld(t);
    this.seen.set(foundId, t);
    const { threshold, tracked, config } = this.deps;
    const decision = decideFound(this.candidates(m.sku, m.at, t), { threshold, tracked }, config);
    this.settle({ foundId, handheldId: m.handheldId, sku: m.sku, at: m.at, t, ...decision }, t);
    return ok(true);
  }

  /** Staff say whose a find left to them was (or nobody's), at event time `t`; a reason when it cannot be done. */
  onAssign(m: FoundAssignMessage, t: number): Result<true, 'NO_SUCH_FIND' | 'NOT_IN_CART'> {
    const find = this.pending.get(m.foundId);
    if (!find) return fail('NO_SUCH_FIND', `no find ${m.foundId} is waiting for staff`);
    if (m.sessionId !== null && !this.deps.shelf.holding(find.sku).includes(m.sessionId))
      return fail('NOT_IN_CART', `${m.sessionId}'s cart holds no ${find.sku}`);
    this.pending.delete(m.foundId);
    this.settle({ ...find, sessionId: m.sessionId, confidence: 1, assignedBy: m.staff }, t);
    return ok(true);
  }

  /**
   * At most once a minute of event time: a flood of finds costs a pass each minute, not one per find. A time before
   * the last pass (a find stamped by a handheld's clock before any device spoke) passes again.
   */
  private forgetOld(t: number): void {
    if (t >= this.lastForget && t - this.lastForget < PRUNE_EVERY_MS) return;
    this.lastForget = t;
    for (const [id, at] of this.seen) if (at < t - WAIT_FOR_STAFF_MS) this.seen.delete(id);
    for (const [id, old] of this.pending) if (old.t < t - WAIT_FOR_STAFF_MS) this.pending.delete(id);
  }

  /** Finds waiting for staff to say whose they were, oldest first. */
  waiting(): FoundItem[] {
    return [...this.pending.values()];
  }

  /** Logs a find's decision; a decided one leaves its shopper's cart, an undecided one waits for staff. */
  private settle(find: Omit<FoundItem, 'afterFinal'>, t: number): void {
    const { sessionId } = find;
    const decided = sessionId === null ? undefined : this.deps.sessions.get(sessionId);
    const found = { ...find, afterFinal: decided?.state === 'closed' };
    this.deps.emit({ type: 'item.found', t, data: found });
    if (sessionId === null) {
      if (found.assignedBy === undefined) this.pending.set(found.foundId, found);
      return;
    }
    const price = this.deps.store.products.get(found.sku)?.price;
    this.deps.shelf.append(linesFromFound({ ...found, sessionId, t }, () => price));
  }

  /**
   * Shoppers whose cart holds the product and who were inside within the lookback, with how close they came since
   * they took it. Only the lookback's part of a trail counts: an item lies on the floor no longer than that, so a
   * shopper who stood by the spot before it could not have dropped it there.
   */
  private candidates(sku: string, at: Vec2, t: number): FoundCandidate[] {
    const { sessions, shelf, tracked, config } = this.deps;
    const since = t - config.lookbackMs;
    return shelf.holding(sku).flatMap((sessionId): FoundCandidate[] => {
      const session = sessions.get(sessionId);
      const exited = sessions.exitedAt(sessionId);
      if (!session || session.staff || session.opened > t || (exited !== null && exited < since)) return [];
      const added = shelf.linesOf(sessionId).find((l) => l.sku === sku && l.qty > 0)?.t ?? since;
      const from = Math.max(added - config.addLagMs, since);
      const distanceM = tracked ? this.trails.closest(sessionId, at, from, t) : null;
      return [{ sessionId, distanceM }];
    });
  }
}
