/**
 * What the engine believes is on each plate, per SKU, including misplaced items put back on the wrong plate.
 * Starts full (the store definition's capacity), or as a journal epoch's seed left it, and follows every decided pick and put-back; staff restocks
 * add units; a staff count sets them. The weight stage reads it to rule out taking more than is there.
 */
import type { Store } from '../store/store.ts';
import type { ItemCount } from '../weight/types.ts';

export class PlateStock {
  private readonly units = new Map<string, Map<string, number>>();

  /** `seed`: the units a previous run left (EngineSeed); what it lacks (a plate or product added since) starts full. */
  constructor(store: Store, seed?: Readonly<Record<string, Readonly<Record<string, number>>>>) {
    for (const [plateId, info] of store.plates) {
      const full = info.plate.skus.map((sku, i): [string, number] => [sku, info.plate.capacity[i] ?? 0]);
      this.units.set(plateId, new Map([...full, ...Object.entries(seed?.[plateId] ?? {})]));
    }
  }

  of(plateId: string): ReadonlyMap<string, number> {
    return this.units.get(plateId) ?? new Map();
  }

  /** Applies items that left (qty > 0) or reached (qty < 0) a plate; never goes below zero. */
  apply(plateId: string, items: readonly ItemCount[]): void {
    const plate = this.units.get(plateId);
    if (!plate) return;
    for (const { sku, qty } of items) {
      const next = Math.max(0, (plate.get(sku) ?? 0) - qty);
      if (next === 0 && !plate.has(sku)) continue;
      plate.set(sku, next);
    }
  }

  /** A staff count: sets the named SKUs' units (others stay as they are). */
  count(plateId: string, counts: Readonly<Record<string, number>>): void {
    const plate = this.units.get(plateId);
    if (!plate) return;
    for (const [sku, units] of Object.entries(counts)) plate.set(sku, units);
  }

  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.units].map(([id, m]) => [id, Object.fromEntries(m)]));
  }
}
