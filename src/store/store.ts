/**
 * The indexed, read-only view of a validated store definition that every stage uses:
 * plates by id with their shelf and fixture, products by SKU, neighbours on a shelf.
 */
import type { Box, CameraDef, Fixture, GateDef, PlateDef, Product, ShelfDef, StoreDef } from './schema.ts';

export interface PlateInfo {
  readonly plate: PlateDef;
  readonly shelf: ShelfDef;
  readonly fixture: Fixture;
  /** Position of the plate along its shelf, 0-based. */
  readonly index: number;
  /** Ids of the plates directly left and right on the same shelf. */
  readonly neighbours: readonly string[];
  /** The volume in front of the plate a hand passes through to reach it. */
  readonly reachBox: Box;
}

export interface Store {
  readonly def: StoreDef;
  readonly products: ReadonlyMap<string, Product>;
  readonly plates: ReadonlyMap<string, PlateInfo>;
  readonly cameras: ReadonlyMap<string, CameraDef>;
  readonly gates: ReadonlyMap<string, GateDef>;
}

/** Depth in metres of the reach volume in front of a plate. */
const REACH_DEPTH = 0.35;

function reachBox(plate: PlateDef, fixture: Fixture): Box {
  const [fx, fy] = fixture.facing;
  const min: [number, number, number] = [...plate.box.min];
  const max: [number, number, number] = [...plate.box.max];
  // Extend the plate's box out of the fixture along its facing, and up to the shelf above.
  if (fx > 0.5) max[0] += REACH_DEPTH;
  if (fx < -0.5) min[0] -= REACH_DEPTH;
  if (fy > 0.5) max[1] += REACH_DEPTH;
  if (fy < -0.5) min[1] -= REACH_DEPTH;
  max[2] += 0.3;
  return { min, max };
}

export function indexStore(def: StoreDef): Store {
  const plates = new Map<string, PlateInfo>();
  for (const fixture of def.fixtures) {
    for (const shelf of fixture.shelves) {
      shelf.plates.forEach((plate, index) => {
        const neighbours = [shelf.plates[index - 1]?.id, shelf.plates[index + 1]?.id].filter(
          (x): x is string => x !== undefined,
        );
        plates.set(plate.id, { plate, shelf, fixture, index, neighbours, reachBox: reachBox(plate, fixture) });
      });
    }
  }
  return Object.freeze({
    def,
    products: new Map(def.products.map((p) => [p.sku, p])),
    plates,
    cameras: new Map(def.cameras.map((c) => [c.id, c])),
    gates: new Map(def.gates.map((g) => [g.id, g])),
  });
}
