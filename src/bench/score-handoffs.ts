/**
 * Handoff scoring: items one shopper handed to another (another visit) that the engine moved between their carts.
 * A move is right when a true handoff of that SKU went from the same visit to the same visit within
 * `HANDOFF_MATCH_MS`; each true handoff pairs with at most one move. Same-party handoffs change no receipt and are
 * left out. Pure.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction, TruthPerson } from '../sim/truth.ts';

export const HANDOFF_MATCH_MS = 3000;

export interface HandoffScore {
  /** True handoffs between two shopper visits. */
  handoffs: number;
  moved: number;
  movedRight: number;
}

export function scoreHandoffs(
  interactions: readonly TruthInteraction[],
  people: readonly Pick<TruthPerson, 'personId' | 'visit'>[],
  shopperVisits: ReadonlySet<string>,
  events: readonly EngineEvent[],
): HandoffScore {
  const visitOf = new Map(people.map((p) => [p.personId, p.visit]));
  const truth = interactions.flatMap((i) => {
    const to = i.toPersonId === undefined ? null : visitOf.get(i.toPersonId);
    const between = i.kind === 'handoff' && i.visit !== null && to && to !== i.visit;
    return between && shopperVisits.has(i.visit!) && shopperVisits.has(to) ? [{ ...i, to, used: false }] : [];
  });
  let moved = 0;
  let movedRight = 0;
  for (const e of events) {
    if (e.type !== 'handoff') continue;
    moved += 1;
    const h = e.data;
    const match = truth.find(
      (x) =>
        !x.used &&
        x.visit === h.fromSessionId &&
        x.to === h.toSessionId &&
        x.sku === h.sku &&
        Math.abs(x.t - h.t) <= HANDOFF_MATCH_MS,
    );
    if (match) {
      match.used = true;
      movedRight += 1;
    }
  }
  return { handoffs: truth.length, moved, movedRight };
}
