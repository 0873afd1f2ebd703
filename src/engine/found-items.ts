/**
 * Items staff found on the floor, end to end [F17]: keeps where each session's people walk (sampled once a second
 * from the tracks), and on a find asks `decideFound` whose cart the item leaves. A decided find appends a
 * correction line (−1) to that cart, even after its receipt is final: the shopper journey refunds it then. Every
 * find is logged as `item.found` with its candidates, decided or not, for staff to see.
 */
import { linesFromFound } from '../cart/ledger.ts';
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

export interface FoundItem extends FoundDecision {
  foundId: string;
  handheldId: string;
  sku: string;
  at: Vec2;
  t: number;
  /** The decided session's receipt was already final: its correction is a refund (the shopper journey pays it). */
  afterFinal: boolean;
}

/** Trails are pruned at most this often (ms of event time). */
const PRUNE_EVERY_MS = 60_000;

export class FoundItems {
  private readonly trails = new FloorTrails();
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
    const { shelf, emit, threshold, config } = this.deps;
    const decision = decideFound(this.candidates(m), threshold, config);
    const decided = decision.sessionId === null ? undefined : this.deps.sessions.get(decision.sessionId);
    const found: FoundItem = {
      foundId: `found-${m.handheldId}-${m.ts}`,
      handheldId: m.handheldId,
      sku: m.sku,
      at: m.at,
      t: m.ts,
      ...decision,
      afterFinal: decided?.state === 'closed',
    };
    emit({ type: 'item.found', t: m.ts, data: found });
    if (found.sessionId === null) return;
    const price = this.deps.store.products.get(m.sku)?.price;
    shelf.appendLines(linesFromFound({ ...found, sessionId: found.sessionId }, () => price));
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
