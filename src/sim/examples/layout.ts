/**
 * Builds fixtures, plates and ceiling cameras for the example stores from a compact description: a fixture is a run
 * along x or y with a facing, shelf heights and plates per shelf; a camera is a ceiling position and a floor point
 * it looks at. Products are placed by `stockPlates`.
 */
import { WalkoutError } from '../../errors.ts';
import { lookAtRotation } from '../../store/camera.ts';
import type { CameraDef, Fixture, PlateDef, Vec2, Vec3 } from '../../store/schema.ts';
import { MIN_WEIGHT_SEPARATION_Z, weightSeparation } from '../../weight/separation.ts';
import type { Aisle, CatalogueItem } from './catalogue.ts';

export interface RunSpec {
  id: string;
  kind: Fixture['kind'];
  /** Corner with the smallest x and y, run length along `along`, depth across it. */
  origin: Vec2;
  along: 'x' | 'y';
  length: number;
  depth: number;
  height: number;
  facing: Vec2;
  /** Shelf heights in metres and how many plates each shelf holds. */
  shelves: { z: number; plates: number }[];
  aisle: Aisle;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A fixture with its shelves and plates; plate ids are `<fixture>-s<shelf>-p<plate>`, SKUs filled in later. */
export function buildRun(spec: RunSpec): Fixture {
  const [ox, oy] = spec.origin;
  const alongX = spec.along === 'x';
  const size: Vec2 = alongX ? [spec.length, spec.depth] : [spec.depth, spec.length];
  const shelves = spec.shelves.map((shelf, si) => {
    const width = spec.length / shelf.plates;
    const plates: PlateDef[] = [];
    for (let pi = 0; pi < shelf.plates; pi++) {
      const a0 = r3(pi * width);
      const a1 = r3((pi + 1) * width);
      const min: Vec3 = alongX ? [ox + a0, oy, shelf.z] : [ox, oy + a0, shelf.z];
      const max: Vec3 = alongX
        ? [ox + a1, oy + spec.depth, shelf.z + 0.04]
        : [ox + spec.depth, oy + a1, shelf.z + 0.04];
      plates.push({
        id: `${spec.id}-s${si + 1}-p${String(pi + 1).padStart(2, '0')}`,
        box: { min: min.map(r3) as Vec3, max: max.map(r3) as Vec3 },
        skus: ['_'],
        capacity: [1],
        maxGrams: 20000,
      });
    }
    return { id: `${spec.id}-s${si + 1}`, plates };
  });
  return {
    id: spec.id,
    kind: spec.kind,
    box: { min: [ox, oy, 0], max: [r3(ox + size[0]), r3(oy + size[1]), spec.height] },
    facing: spec.facing,
    shelves,
  };
}

export function ceilingCamera(
  id: string,
  at: Vec3,
  lookAt: Vec3,
  options: { fx?: number; resolution?: [number, number]; fps?: number } = {},
): CameraDef {
  const resolution = options.resolution ?? [1280, 720];
  const fx = options.fx ?? 460;
  return {
    id,
    resolution,
    fps: options.fps ?? 15,
    intrinsics: { fx, fy: fx, cx: resolution[0] / 2, cy: resolution[1] / 2 },
    pose: { position: at, rotation: lookAtRotation(at, lookAt).map((v) => Math.round(v * 1e6) / 1e6) },
    distortion: [],
  };
}

/**
 * Puts products on plates, per aisle. With more products than plates, products share a plate (multi-SKU plates);
 * with more plates than products, evenly spaced products get a second facing. `shareAtLeast` pairs always share, so
 * every store has multi-SKU plates. A shared plate mixes products weight can tell apart (weight-separation.ts), as
 * `walkout store check` asks, except `lookAlikePlates` pairs of near-equal neighbours (two flavours of one can),
 * kept so the simulator's near-equal-weights case has somewhere to happen.
 */
export function stockPlates(
  fixtures: { fixture: Fixture; aisle: Aisle }[],
  catalogue: CatalogueItem[],
  shareAtLeast: number,
  lookAlikePlates: number,
): void {
  const aisles = [...new Set(fixtures.map((f) => f.aisle))];
  const lookAlikes = { left: lookAlikePlates };
  for (const aisle of aisles) {
    const plates = fixtures.filter((f) => f.aisle === aisle).flatMap((f) => f.fixture.shelves.flatMap((s) => s.plates));
    const items = catalogue.filter((c) => c.aisle === aisle);
    if (items.length === 0 || plates.length === 0) continue;
    const facings = facingsFor(items, plates.length, shareAtLeast, lookAlikes);
    plates.forEach((plate, i) => {
      const group = facings[i % facings.length]!;
      plate.skus = group.map((g) => g.sku);
      plate.capacity = group.map((g) => capacityFor(g, plate, group.length));
    });
  }
}

function facingsFor(
  items: CatalogueItem[],
  plateCount: number,
  shareAtLeast: number,
  lookAlikes: { left: number },
): CatalogueItem[][] {
  const shares = Math.max(Math.min(shareAtLeast, Math.floor(items.length / 4)), items.length - plateCount);
  // Share among the lightest items first: small packs are the ones stores mix on one plate.
  const byWeight = [...items].sort((a, b) => a.unitWeight.mean - b.unitWeight.mean);
  const sharing = new Set(byWeight.slice(0, shares * 2).map((i) => i.sku));
  const groups = shareGroups(items, sharing, lookAlikes);
  if (groups.length > plateCount)
    throw new WalkoutError('EXAMPLE_STORE', `${items.length} products for ${plateCount} plates`);
  const extra = plateCount - groups.length;
  if (extra <= 0) return groups.slice(0, plateCount);
  // Second facings, spread evenly, placed right after the first so a product's plates are neighbours.
  const out: CatalogueItem[][] = [];
  const every = groups.length / extra;
  let next = 0;
  groups.forEach((g, i) => {
    out.push(g);
    if (i >= Math.floor(next) && out.length < plateCount && g.length === 1) {
      out.push(g);
      next += every;
    }
  });
  while (out.length < plateCount) out.push(groups[out.length % groups.length]!);
  return out;
}

/**
 * Groups products in catalogue order: each sharing product takes the next sharing product that weight can tell
 * from it (or, while the look-alike budget lasts, its near-equal neighbour); the rest stand alone.
 */
function shareGroups(items: CatalogueItem[], sharing: Set<string>, lookAlikes: { left: number }): CatalogueItem[][] {
  const groups: CatalogueItem[][] = [];
  const placed = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    if (placed.has(a.sku)) continue;
    placed.add(a.sku);
    const partners = sharing.has(a.sku)
      ? items.slice(i + 1).filter((b) => sharing.has(b.sku) && !placed.has(b.sku))
      : [];
    const next = items[i + 1];
    const twin = next && partners[0] === next && weightSeparation(a.unitWeight, next.unitWeight) < 1 ? next : undefined;
    const b =
      twin && lookAlikes.left > 0
        ? twin
        : partners.find((c) => weightSeparation(a.unitWeight, c.unitWeight) >= MIN_WEIGHT_SEPARATION_Z);
    if (b === twin && b) lookAlikes.left -= 1;
    if (b) placed.add(b.sku);
    groups.push(b ? [a, b] : [a]);
  }
  return groups;
}

function capacityFor(item: CatalogueItem, plate: PlateDef, share: number): number {
  const width = plate.box.max[0] - plate.box.min[0];
  const depth = plate.box.max[1] - plate.box.min[1];
  const span = Math.max(width, depth);
  const deep = Math.min(width, depth);
  const across = Math.max(1, Math.floor(span / share / item.width));
  // Small packs stand several deep (or stack); big ones one or two deep.
  const rows = Math.max(2, Math.floor((deep + 1e-9) / Math.min(Math.max(item.width, 0.07), 0.2)));
  const byWeight = Math.floor((plate.maxGrams * 0.7) / share / item.unitWeight.mean);
  return Math.max(1, Math.min(across * rows, byWeight, 40));
}
