/**
 * The floor plan the staff pages draw, computed once from the store definition: the outline, fixtures, and a
 * top-down cell for every plate. Plates of different shelves share one footprint in the real store, so the plan
 * lays each shelf out as its own strip across the fixture's depth (top shelf on the aisle side) — a schematic
 * where every plate gets a cell it can be coloured and flashed in.
 */
import type { Box, Fixture, Vec2 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/** A floor rectangle in store metres: x0 ≤ x1, y0 ≤ y1. */
export interface FloorRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PlateCell {
  plateId: string;
  fixtureId: string;
  shelfId: string;
  rect: FloorRect;
  skus: string[];
  capacity: number[];
}

export interface StoreLayout {
  storeId: string;
  name: string;
  currency: string;
  /** IANA zone the store's clocks read in. */
  timezone: string;
  mode: 'multi-shopper' | 'single-shopper';
  bounds: FloorRect;
  outline: Vec2[];
  entryArea: Vec2[];
  fixtures: { id: string; kind: Fixture['kind']; rect: FloorRect; facing: Vec2; shelves: string[] }[];
  plates: PlateCell[];
  gates: { id: string; kind: 'entry' | 'exit' | 'both'; line: [Vec2, Vec2] }[];
  cameras: { id: string; x: number; y: number }[];
  products: { sku: string; name: string; price: number; grams: number }[];
}

function footprint(box: Box): FloorRect {
  return { x0: box.min[0], y0: box.min[1], x1: box.max[0], y1: box.max[1] };
}

/** Cells for one fixture's plates: along the shelf they keep their own extent, across it each shelf gets a strip. */
export function plateCells(fixture: Fixture): PlateCell[] {
  const rect = footprint(fixture.box);
  const [fx, fy] = fixture.facing;
  // Shelves run perpendicular to the facing: a fixture facing ±y has shelves along x.
  const alongX = Math.abs(fy) >= Math.abs(fx);
  const towardsAisle = alongX ? Math.sign(fy) || 1 : Math.sign(fx) || 1;
  const shelves = [...fixture.shelves].sort((a, b) => shelfHeight(b) - shelfHeight(a));
  const depth0 = alongX ? rect.y0 : rect.x0;
  const depth = (alongX ? rect.y1 - rect.y0 : rect.x1 - rect.x0) || 0.4;
  const strip = depth / shelves.length;
  const cells: PlateCell[] = [];
  shelves.forEach((shelf, rank) => {
    // rank 0 (top shelf) sits on the aisle edge.
    const k = towardsAisle > 0 ? shelves.length - 1 - rank : rank;
    const d0 = depth0 + k * strip;
    const d1 = d0 + strip;
    for (const plate of shelf.plates) {
      const a0 = alongX ? plate.box.min[0] : plate.box.min[1];
      const a1 = alongX ? plate.box.max[0] : plate.box.max[1];
      cells.push({
        plateId: plate.id,
        fixtureId: fixture.id,
        shelfId: shelf.id,
        rect: alongX ? { x0: a0, x1: a1, y0: d0, y1: d1 } : { x0: d0, x1: d1, y0: a0, y1: a1 },
        skus: [...plate.skus],
        capacity: [...plate.capacity],
      });
    }
  });
  return cells;
}

function shelfHeight(shelf: Fixture['shelves'][number]): number {
  return Math.min(...shelf.plates.map((p) => p.box.min[2]));
}

function boundsOf(points: readonly Vec2[]): FloorRect {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

export function storeLayout(store: Store): StoreLayout {
  const def = store.def;
  const gatePoints = def.gates.flatMap((g) => g.line);
  return {
    storeId: def.id,
    name: def.name,
    currency: def.currency,
    timezone: def.timezone,
    mode: def.mode,
    bounds: boundsOf([...def.floor.outline, ...gatePoints]),
    outline: def.floor.outline,
    entryArea: def.floor.entryArea,
    fixtures: def.fixtures.map((f) => ({
      id: f.id,
      kind: f.kind,
      rect: footprint(f.box),
      facing: f.facing,
      shelves: f.shelves.map((s) => s.id),
    })),
    plates: def.fixtures.flatMap(plateCells),
    gates: def.gates.map((g) => ({ id: g.id, kind: g.kind, line: g.line })),
    cameras: def.cameras.map((c) => ({ id: c.id, x: c.pose.position[0], y: c.pose.position[1] })),
    products: def.products.map((p) => ({ sku: p.sku, name: p.name, price: p.price, grams: p.unitWeight.mean })),
  };
}
