/**
 * The two example stores, generated deterministically: an airport kiosk (~60 m², ~40 plates, 6 cameras) and a
 * convenience store (~250 m², ~320 plates, 24 cameras). `scripts/make-examples.ts` writes them to examples/.
 */
import type { Fixture, StoreDef, Vec2 } from '../../store/schema.ts';
import { indexStore } from '../../store/store.ts';
import { createRng } from '../random.ts';
import { type Aisle, buildCatalogue, type CatalogueItem } from './catalogue.ts';
import { placeCameras } from './coverage.ts';
import { buildRun, ceilingCamera, type RunSpec, stockPlates } from './layout.ts';

const GONDOLA_SHELVES = (n: number) => [
  { z: 0.3, plates: n },
  { z: 0.85, plates: n },
  { z: 1.4, plates: Math.round(n * 1.2) },
];
const FRIDGE_SHELVES = (n: number) => [0.3, 0.68, 1.06, 1.44].map((z) => ({ z, plates: n }));

function island(id: string, x: number, y: number, length: number, plates: number, west: Aisle, east: Aisle): RunSpec[] {
  const base = { kind: 'gondola' as const, along: 'y' as const, length, depth: 0.45, height: 1.8 };
  return [
    { ...base, id: `${id}W`, origin: [x, y], facing: [-1, 0], shelves: GONDOLA_SHELVES(plates), aisle: west },
    { ...base, id: `${id}E`, origin: [x + 0.45, y], facing: [1, 0], shelves: GONDOLA_SHELVES(plates), aisle: east },
  ];
}

/** A fridge run along a back wall (along x), its doors facing down the store (−y). */
function backFridge(id: string, x: number, y: number, length: number, plates: number, aisle: Aisle): RunSpec {
  const base = { kind: 'fridge' as const, along: 'x' as const, depth: 0.7, height: 2.0, facing: [0, -1] as Vec2 };
  return { ...base, id, origin: [x, y], length, shelves: FRIDGE_SHELVES(plates), aisle };
}

function products(catalogue: CatalogueItem[], used: Set<string>) {
  return catalogue.filter((c) => used.has(c.sku)).map(({ aisle: _a, width: _w, ...p }) => p);
}

function assemble(
  meta: Pick<StoreDef, 'id' | 'name' | 'currency' | 'timezone' | 'mode' | 'floor' | 'gates' | 'cameras'>,
  runs: RunSpec[],
  catalogue: CatalogueItem[],
  shareAtLeast: number,
  placedCameras: number,
  /** Look-alike pairs left sharing a plate on purpose, for the simulator's near-equal-weights case. */
  lookAlikePairs: number,
): StoreDef {
  const fixtures: { fixture: Fixture; aisle: Aisle }[] = runs.map((r) => ({ fixture: buildRun(r), aisle: r.aisle }));
  stockPlates(fixtures, catalogue, shareAtLeast, lookAlikePairs);
  const used = new Set(fixtures.flatMap((f) => f.fixture.shelves.flatMap((s) => s.plates.flatMap((p) => p.skus))));
  const def: StoreDef = { ...meta, products: products(catalogue, used), fixtures: fixtures.map((f) => f.fixture) };
  // Plate cameras are chosen for coverage (every plate front seen twice); the fixed ones watch the gates.
  const height = meta.cameras[0]?.pose.position[2] ?? 3;
  const placed = placeCameras(indexStore(def), placedCameras, height, (id, at, to) => ceilingCamera(id, at, to));
  return { ...def, cameras: [...placed, ...meta.cameras] };
}

const rect = (x0: number, y0: number, x1: number, y1: number): Vec2[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];

/** 15 m × 16.5 m: three gondola islands, a drinks fridge wall, a back fridge wall, a counter by the gates. */
export function convenienceStore(): StoreDef {
  const catalogue = buildCatalogue(createRng(2026));
  const runs: RunSpec[] = [
    ...island('G1', 2.6, 5.5, 5, 10, 'snacks', 'snacks'),
    ...island('G2', 5.8, 5.5, 5, 10, 'candy', 'grocery'),
    ...island('G3', 9.0, 5.5, 5, 10, 'household', 'care'),
    {
      id: 'FE',
      kind: 'fridge',
      origin: [14.3, 3.6],
      along: 'y',
      length: 9.6,
      depth: 0.7,
      height: 2.0,
      facing: [-1, 0],
      shelves: FRIDGE_SHELVES(16),
      aisle: 'drinks',
    },
    backFridge('FN1', 1.2, 15.8, 3, 5, 'dairy'),
    backFridge('FN2', 4.2, 15.8, 3, 5, 'fresh'),
    backFridge('FN3', 7.2, 15.8, 2.4, 4, 'alcohol'),
    {
      id: 'C1',
      kind: 'counter',
      origin: [5.5, 2.6],
      along: 'x',
      length: 3,
      depth: 0.6,
      height: 1.0,
      facing: [0, -1],
      shelves: [{ z: 0.95, plates: 8 }],
      aisle: 'candy',
    },
  ];
  const cam = (id: string, x: number, y: number, tx: number, ty: number) => ceilingCamera(id, [x, y, 3], [tx, ty, 0]);
  const fixed = [cam('cam-gates-1', 2.3, 2.2, 2.3, 0.6), cam('cam-gates-2', 12.3, 2.2, 12.3, 0.6)];
  return assemble(
    {
      id: 'convenience-01',
      name: 'Walkout Convenience (example)',
      currency: 'USD',
      timezone: 'America/New_York',
      mode: 'multi-shopper',
      floor: { outline: rect(0, 0, 15, 16.5), entryArea: rect(0.8, 1.2, 3.8, 2.4) },
      gates: [
        {
          id: 'entry-1',
          kind: 'entry',
          line: [
            [1.0, 1.0],
            [2.2, 1.0],
          ],
        },
        {
          id: 'entry-2',
          kind: 'entry',
          line: [
            [2.4, 1.0],
            [3.6, 1.0],
          ],
        },
        {
          id: 'exit-1',
          kind: 'exit',
          line: [
            [11.0, 1.0],
            [12.2, 1.0],
          ],
        },
        {
          id: 'exit-2',
          kind: 'exit',
          line: [
            [12.4, 1.0],
            [13.6, 1.0],
          ],
        },
      ],
      cameras: fixed,
    },
    runs,
    catalogue,
    8,
    24,
    2,
  );
}

/** 8 m × 7.5 m airport kiosk: a back drinks fridge and a wall gondola of travel goods. */
export function kioskStore(): StoreDef {
  const all = buildCatalogue(createRng(77));
  const keep = new Set(['drinks', 'snacks', 'candy', 'care', 'household']);
  const catalogue = all.filter((c, i) => keep.has(c.aisle) && i % 5 === 0);
  const runs: RunSpec[] = [
    backFridge('KF', 0.8, 6.8, 3.6, 6, 'drinks'),
    {
      id: 'KG',
      kind: 'gondola',
      origin: [0, 2.8],
      along: 'y',
      length: 3,
      depth: 0.45,
      height: 1.8,
      facing: [1, 0],
      shelves: [0.3, 0.85, 1.4].map((z) => ({ z, plates: 6 })),
      aisle: 'snacks',
    },
  ];
  // The gondola holds the non-drink travel goods: relabel them into its aisle.
  const retagged = catalogue.map((c) => (c.aisle === 'drinks' ? c : { ...c, aisle: 'snacks' as const }));
  const cam = (id: string, x: number, y: number, tx: number, ty: number) => ceilingCamera(id, [x, y, 2.8], [tx, ty, 0]);
  const fixed = [cam('cam-gates', 6.3, 2, 6.3, 0.6)];
  return assemble(
    {
      id: 'kiosk-01',
      name: 'Walkout Airport Kiosk (example)',
      currency: 'USD',
      timezone: 'America/Chicago',
      mode: 'multi-shopper',
      floor: { outline: rect(0, 0, 8, 7.5), entryArea: rect(5.2, 1.0, 6.2, 2.0) },
      gates: [
        {
          id: 'entry',
          kind: 'entry',
          line: [
            [5.2, 0.8],
            [6.2, 0.8],
          ],
        },
        {
          id: 'exit',
          kind: 'exit',
          line: [
            [6.4, 0.8],
            [7.4, 0.8],
          ],
        },
      ],
      cameras: fixed,
    },
    runs,
    retagged,
    3,
    5,
    1,
  );
}
