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

/** Trails are pruned at most this often (ms of event time). */
const PRUNE_EVERY_MS = 60_000;
/** A find nobody assigned within a day stops waiting (it stays in the log; the shopper can still dispute). */
const WAIT_FOR_STAFF_MS = 24 * 3_600_000;

export class FoundItems {
  private readonly trails = new FloorTrails();
  private readonly pending = new Map<string, FoundItem>();
  private lastPrune = Number.NEGATIVE_INFINITY;

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

  onFound(m: ItemFoundMessage): void {
    const decision = decideFound(this.candidates(m), this.deps.threshold, this.deps.config);
    const foundId = `found-${m.handheldId}-${m.ts}-${m.sku}`;
    const find = { foundId, handheldId: m.handheldId, sku: m.sku, at: m.at, t: m.ts };
    for (const [id, old] of this.pending) if (old.t < m.ts - WAIT_FOR_STAFF_MS) this.pending.delete(id);
    this.settle({ ...find, ...decision, afterFinal: false }, m.ts);
  }

  /** Staff say whose a find left to them was (or nobody's); a reason when it cannot be done. */
  onAssign(m: FoundAssignMessage): Result<true, 'NO_SUCH_FIND' | 'NOT_IN_CART'> {
    const find = this.pending.get(m.foundId);
    if (!find) return fail('NO_SUCH_FIND', `no find ${m.foundId} is waiting for staff`);
    if (m.sessionId !== null && !this.deps.shelf.holding(find.sku).includes(m.sessionId))
      return fail('NOT_IN_CART', `${m.sessionId}'s cart holds no ${find.sku}`);
    this.pending.delete(m.foundId);
    this.settle({ ...find, sessionId: m.sessionId, confidence: 1, assignedBy: m.staff }, m.ts);
    return ok(true);
  }

  /** Finds waiting for staff to say whose they were, oldest first. */
  waiting(): FoundItem[] {
    return [...this.pending.values()];
  }

  /** Logs a find's decision; a decided one leaves its shopper's cart, an undecided one waits for staff. */
  private settle(find: FoundItem, t: number): void {
    const { sessionId } = find;
    const decided = sessionId === null ? undefined : this.deps.sessions.get(sessionId);
    const found = { ...find, afterFinal: decided?.state === 'closed' };
    this.deps.emit({ type: 'item.found', t, data: found });
    if (sessionId === null) {
      if (found.assignedBy === undefined) this.pending.set(found.foundId, found);
      return;
    }
    const price = this.deps.store.products.get(found.sku)?.price;
    this.deps.shelf.appendLines(linesFromFound({ ...found, sessionId, t }, () => price));
  }

  /** Shoppers whose cart holds the product and who were inside within the lookback, with how close they came. */
  private candidates(m: ItemFoundMessage): FoundCandidate[] {
    const { sessions, shelf, tracked, config } = this.deps;
    const since = m.ts - config.lookbackMs;
    return shelf.holding(m.sku).flatMap((sessionId): FoundCandidate[] => {
      const session = sessions.get(sessionId);
      const exited = sessions.exitedAt(sessionId);
      if (!session || session.staff || session.opened > m.ts || (exited !== null && exited < since)) return [];
      if (!tracked) return [{ sessionId, distanceM: null }];
      const added = shelf.linesOf(sessionId).find((l) => l.sku === m.sku && l.qty > 0)?.t ?? since;
      const distanceM = this.trails.closest(sessionId, m.at, added - config.addLagMs, m.ts);
      return distanceM === null ? [] : [{ sessionId, distanceM }];
    });
  }
}
