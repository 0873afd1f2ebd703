/**
 * Camera coverage for the planner: does every plate front have at least two cameras on it (two views are what
 * attribution needs to place a hand in 3-D), and which parts of the floor are seen by how many cameras. Points on
 * each plate's front edge, just out from the fixture at hand height, are projected into every camera; a camera sees a
 * point when it lands inside the image, in front of the lens and with no fixture in between.
 */
import { inImage, projectPoint } from '../store/camera.ts';
import { pointInPolygon, segmentHitsBox } from '../store/geometry.ts';
import type { Box, CameraDef, Vec2, Vec3 } from '../store/schema.ts';
import type { PlateInfo, Store } from '../store/store.ts';

export interface CoverageOptions {
  /** Points sampled along each plate's front edge. */
  samplesPerPlate: number;
  /** A camera sees a plate when it sees at least this fraction of the plate's sample points. */
  minFraction: number;
  /** How far out from the fixture front (m) and above the plate (m) the sample points sit: where a hand reaches. */
  out: number;
  up: number;
  /** Heat-map cell size in metres and the height of its sample points (a hand over a basket). */
  cell: number;
  heatHeight: number;
  /** Points closer than this to the lens (m) are not usable. */
  minDepth: number;
}

export const DEFAULT_COVERAGE: CoverageOptions = Object.freeze({
  samplesPerPlate: 5,
  minFraction: 0.6,
  out: 0.08,
  up: 0.14,
  cell: 0.5,
  heatHeight: 1.1,
  minDepth: 0.1,
});

export interface PlateCoverage {
  plateId: string;
  fixtureId: string;
  /** Cameras that see this plate's front. */
  cameras: string[];
}

export interface CoverageResult {
  plates: PlateCoverage[];
  /** Fraction of plates seen by at least two cameras (1 when there are no plates). */
  twoViewFraction: number;
  /** Fraction seen by at least one. */
  oneViewFraction: number;
  /** Plates seen by fewer than two cameras. */
  weakPlates: string[];
  /** Floor heat map: cells of `cell` metres from `origin`, each the number of cameras that see it (null: outside). */
  heat: { origin: Vec2; cell: number; cols: number; rows: number; counts: (number | null)[] };
  cameraCount: number;
}

/** The sample points on a plate's front edge, out from the fixture face and above the plate. */
export function plateFrontPoints(info: PlateInfo, options: CoverageOptions = DEFAULT_COVERAGE): Vec3[] {
  const { box } = info.plate;
  const [fx, fy] = info.fixture.facing;
  const z = box.max[2] + options.up;
  const n = Math.max(1, options.samplesPerPlate);
  const points: Vec3[] = [];
  for (let k = 0; k < n; k++) {
    // Spread over the edge but keep off the very corners, where a neighbour's hand is as likely.
    const along = n === 1 ? 0.5 : 0.1 + (0.8 * k) / (n - 1);
    if (Math.abs(fx) > Math.abs(fy)) {
      const x = fx > 0 ? box.max[0] + options.out : box.min[0] - options.out;
      points.push([x, box.min[1] + (box.max[1] - box.min[1]) * along, z]);
    } else {
      const y = fy > 0 ? box.max[1] + options.out : box.min[1] - options.out;
      points.push([box.min[0] + (box.max[0] - box.min[0]) * along, y, z]);
    }
  }
  return points;
}

/** True when the camera images the point: in front of the lens, inside the frame, and no fixture in the way. */
export function cameraSeesPoint(
  camera: CameraDef,
  point: Vec3,
  occluders: readonly Box[],
  options: CoverageOptions = DEFAULT_COVERAGE,
): boolean {
  const p = projectPoint(camera, point);
  if (p.depth <= options.minDepth || !inImage(camera, p.u, p.v)) return false;
  return !occluders.some((box) => segmentHitsBox(camera.pose.position, point, box));
}

export function computeCoverage(store: Store, partial: Partial<CoverageOptions> = {}): CoverageResult {
  const options = { ...DEFAULT_COVERAGE, ...partial };
  const occluders = store.def.fixtures.map((f) => f.box);
  const cameras = store.def.cameras;
  const plates: PlateCoverage[] = [];
  for (const [plateId, info] of store.plates) {
    const points = plateFrontPoints(info, options);
    const seeing = cameras.filter((camera) => {
      const seen = points.filter((p) => cameraSeesPoint(camera, p, occluders, options)).length;
      return seen / points.length >= options.minFraction;
    });
    plates.push({ plateId, fixtureId: info.fixture.id, cameras: seeing.map((c) => c.id) });
  }
  const count = (k: number) =>
    plates.length === 0 ? 1 : plates.filter((p) => p.cameras.length >= k).length / plates.length;
  return {
    plates,
    twoViewFraction: count(2),
    oneViewFraction: count(1),
    weakPlates: plates.filter((p) => p.cameras.length < 2).map((p) => p.plateId),
    heat: heatMap(store, cameras, occluders, options),
    cameraCount: cameras.length,
  };
}

function heatMap(store: Store, cameras: readonly CameraDef[], occluders: readonly Box[], options: CoverageOptions) {
  const outline = store.def.floor.outline;
  const xs = outline.map((p) => p[0]);
  const ys = outline.map((p) => p[1]);
  const origin: Vec2 = [Math.min(...xs), Math.min(...ys)];
  const cols = Math.max(1, Math.ceil((Math.max(...xs) - origin[0]) / options.cell));
  const rows = Math.max(1, Math.ceil((Math.max(...ys) - origin[1]) / options.cell));
  const counts: (number | null)[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = origin[0] + (c + 0.5) * options.cell;
      const y = origin[1] + (r + 0.5) * options.cell;
      const onFixture = occluders.some((b) => x >= b.min[0] && x <= b.max[0] && y >= b.min[1] && y <= b.max[1]);
      if (!pointInPolygon([x, y], outline) || onFixture) {
        counts.push(null);
        continue;
      }
      const point: Vec3 = [x, y, options.heatHeight];
      counts.push(cameras.filter((camera) => cameraSeesPoint(camera, point, occluders, options)).length);
    }
  }
  return { origin, cell: options.cell, cols, rows, counts };
}
