/**
 * Scoring items found on the floor [F17]: shoppers' drops, the finds staff reported, and whose cart the engine took
 * each one out of by itself. A decided find is right when the visit it names dropped that SKU before the find; each
 * drop answers one find (`DropBook`, shared with the oracle that answers the finds left to staff). Staff's later
 * answers (`assignedBy`) are not the engine's. Pure.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction } from '../sim/truth.ts';

export interface FoundScore {
  /** Items shoppers of a visit dropped on the floor. */
  drops: number;
  /** Items staff reported found on the floor. */
  found: number;
  /** Finds the engine took out of a cart, and of those the ones out of the dropper's. */
  decided: number;
  decidedRight: number;
}

/** Shopper visits' drops in time order, each given out once. */
export class DropBook {
  private readonly drops: { visit: string; sku: string | null; t: number; used: boolean }[];

  constructor(interactions: readonly TruthInteraction[], shopperVisits: ReadonlySet<string>) {
    this.drops = interactions.flatMap((i) =>
      i.kind === 'drop' && i.visit !== null && shopperVisits.has(i.visit)
        ? [{ visit: i.visit, sku: i.sku, t: i.t, used: false }]
        : [],
    );
  }

  get size(): number {
    return this.drops.length;
  }

  /** The earliest unused drop of `sku` before `t` by a visit `accept` takes: marked used, its visit returned. */
  take(sku: string, t: number, accept: (visit: string) => boolean): string | null {
    const drop = this.drops.find((d) => !d.used && d.sku === sku && d.t <= t && accept(d.visit));
    if (!drop) return null;
    drop.used = true;
    return drop.visit;
  }
}

/** The engine's own decisions on finds (staff answers left out). */
function engineFinds(events: readonly EngineEvent[]) {
  return events.flatMap((e) => (e.type === 'item.found' && e.data.assignedBy === undefined ? [e.data] : []));
}

export function scoreFound(book: DropBook, events: readonly EngineEvent[]): FoundScore {
  const finds = engineFinds(events);
  const decided = finds.filter((f) => f.sessionId !== null);
  const right = decided.filter((f) => book.take(f.sku, f.t, (visit) => visit === f.sessionId) !== null);
  return { drops: book.size, found: finds.length, decided: decided.length, decidedRight: right.length };
}
