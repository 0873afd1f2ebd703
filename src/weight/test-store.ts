/**
 * A small store for the weight stage's tests and benchmark: one gondola with a shelf of seven plates covering the
 * hard cases (a product spanning two plates, a multi-SKU plate, near-equal weights) and a second shelf; plus a
 * generated store of any number of plates. Also the helper that runs a message stream through a stage.
 */
import type { StoreDef } from '../store/schema.ts';
import { indexStore, type Store } from '../store/store.ts';
import type { WeightConfig } from './config.ts';
import { createWeightStage } from './stage.ts';
import type { PlateMessage } from './synthetic.ts';
import type { ShelfEvent } from './types.ts';

const product = (sku: string, mean: number, sd: number) => ({
  sku,
  name: sku,
  price: 100,
  unitWeight: { mean, sd },
  ageRestricted: false,
});

function plate(id: string, x: number, z: number, skus: string[]) {
  return {
    id,
    box: { min: [x, 0, z] as [number, number, number], max: [x + 0.1, 0.4, z + 0.02] as [number, number, number] },
    skus,
    capacity: skus.map(() => 10),
    maxGrams: 20000,
  };
}

function storeDef(products: StoreDef['products'], shelves: StoreDef['fixtures'][number]['shelves']): StoreDef {
  return {
    id: 'test-store',
    name: 'Test store',
    currency: 'EUR',
    timezone: 'UTC',
    mode: 'single-shopper',
    floor: {
      outline: [
        [-1, -3],
        [20, -3],
        [20, 1],
        [-1, 1],
      ],
      entryArea: [
        [0, -3],
        [1, -3],
        [1, -2],
      ],
    },
    products,
    fixtures: [{ id: 'g1', kind: 'gondola', box: { min: [0, 0, 0], max: [20, 0.5, 2] }, facing: [0, -1], shelves }],
    cameras: [],
    gates: [
      {
        id: 'gate',
        kind: 'both',
        line: [
          [0, -3],
          [1, -3],
        ],
      },
    ],
  };
}

/** Shelf s1: p1–p2 cola (355 g, spans two plates), p3 chips (60 g), p4 bars a/b (50/75 g), p5 soap-a (400 g),
 *  p6 soap-b (404 g), p7 teas a/b (100/101 g, near-equal on one plate). Shelf s2: w1–w2 water (500 g). */
export function testStore(): Store {
  const products = [
    product('cola', 355, 5),
    product('chips', 60, 1.5),
    product('bar-a', 50, 1),
    product('bar-b', 75, 1.5),
    product('soap-a', 400, 4),
    product('soap-b', 404, 4),
    product('tea-a', 100, 1),
    product('tea-b', 101, 1),
    product('water', 500, 5),
  ];
  const s1 = [
    plate('p1', 0, 0.3, ['cola']),
    plate('p2', 0.1, 0.3, ['cola']),
    plate('p3', 0.2, 0.3, ['chips']),
    plate('p4', 0.3, 0.3, ['bar-a', 'bar-b']),
    plate('p5', 0.4, 0.3, ['soap-a']),
    plate('p6', 0.5, 0.3, ['soap-b']),
    plate('p7', 0.6, 0.3, ['tea-a', 'tea-b']),
  ];
  const s2 = [plate('w1', 0, 0.8, ['water']), plate('w2', 0.1, 0.8, ['water'])];
  return indexStore(
    storeDef(products, [
      { id: 's1', plates: s1 },
      { id: 's2', plates: s2 },
    ]),
  );
}

/** A store of `n` plates: shelves of 10 plates, each plate one of 50 products. */
export function bigStore(n: number): Store {
  const products = Array.from({ length: 50 }, (_, i) => product(`sku-${i}`, 40 + i * 23, 1 + i * 0.1));
  const shelves = Array.from({ length: Math.ceil(n / 10) }, (_, s) => ({
    id: `s${s}`,
    plates: Array.from({ length: Math.min(10, n - s * 10) }, (_, k) =>
      plate(`s${s}-p${k}`, k * 0.1, 0.3, [`sku-${(s * 10 + k) % 50}`]),
    ),
  }));
  return indexStore(storeDef(products, shelves));
}

/** Full stock: every planogram SKU at its capacity, plus `extra` (misplaced items) per plate. */
export function fullStock(
  store: Store,
  extra: Record<string, Record<string, number>> = {},
): (plateId: string) => ReadonlyMap<string, number> {
  return (plateId) => {
    const p = store.plates.get(plateId)?.plate;
    const m = new Map<string, number>();
    p?.skus.forEach((sku, i) => {
      m.set(sku, p.capacity[i] ?? 0);
    });
    for (const [sku, n] of Object.entries(extra[plateId] ?? {})) m.set(sku, n);
    return m;
  };
}

/** Feeds messages in order, advancing time with each, then flushes; returns every event and the stage. */
export function runStage(
  store: Store,
  messages: PlateMessage[],
  options: { stock?: (plateId: string) => ReadonlyMap<string, number>; config?: Partial<WeightConfig> } = {},
): { events: ShelfEvent[]; stage: ReturnType<typeof createWeightStage> } {
  const stage = createWeightStage(store, { stock: options.stock ?? fullStock(store), config: options.config ?? {} });
  const events: ShelfEvent[] = [];
  for (const m of messages) {
    stage.onBatch(m);
    events.push(...stage.advance(m.ts));
  }
  events.push(...stage.flush());
  return { events, stage };
}
