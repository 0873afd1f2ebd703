/**
 * Scoring items found on the floor [F17]: shoppers' drops, the finds staff reported, and whose cart the engine took
 * each one out of by itself. A decided find is right when the visit it names dropped that SKU before the find (each
 * drop pairs with one find). Staff's later answers to the finds left to them (`assignedBy`) are not the engine's.
 * Pure.
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

export function scoreFound(
  interactions: readonly TruthInteraction[],
  shopperVisits: ReadonlySet<string>,
  events: readonly EngineEvent[],
): FoundScore {
  const drops = interactions.flatMap((i) =>
    i.kind === 'drop' && i.visit !== null && shopperVisits.has(i.visit) ? [{ ...i, used: false }] : [],
  );
  let found = 0;
  let decided = 0;
  let decidedRight = 0;
  for (const e of events) {
    if (e.type !== 'item.found' || e.data.assignedBy !== undefined) continue;
    found += 1;
    if (e.data.sessionId === null) continue;
    decided += 1;
    const { sessionId, sku, t } = e.data;
    const drop = drops.find((d) => !d.used && d.visit === sessionId && d.sku === sku && d.t <= t);
    if (!drop) continue;
    drop.used = true;
    decidedRight += 1;
  }
  return { drops: drops.length, found, decided, decidedRight };
}
