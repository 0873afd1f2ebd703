/**
 * Camera coverage of plate fronts: which cameras see the point a hand reaches to, with fixtures occluding.
 * Used to place the example stores' cameras and to check that every plate is seen by at least two.
 */
import { inImage, projectPoint } from '../../store/camera.ts';
import type { CameraDef, Vec3 } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import { plateHandPoint, pointInPolygon, segmentHitsBox } from '../geometry.ts';

/** Farthest a camera is trusted to see a hand well enough (horizontal metres); matches the simulated detector. */
export const COVERAGE_RANGE = 4.5;
const FLOOR_STEP_M = 1;
/** Plates come first: a hand nobody sees twice is a pick nobody can attribute. */
const PLATE_WEIGHT = 4;

export function cameraSees(store: Store, camera: CameraDef, point: Vec3, range = COVERAGE_RANGE): boolean {
  const [cx, cy] = camera.pose.position;
  if (Math.hypot(point[0] - cx, point[1] - cy) > range) return false;
  const p = projectPoint(camera, point);
  if (p.depth <= 0.1 || !inImage(camera, p.u, p.v)) return false;
  return !store.def.fixtures.some((f) => segmentHitsBox(camera.pose.position, point, f.box));
}

/** For each plate, how many cameras see both ends of its front (at hand height). */
export function plateCoverage(store: Store): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, info] of store.plates) {
    const ends = [plateHandPoint(info, 0.08, 0.14, 0.1), plateHandPoint(info, 0.08, 0.14, 0.9)];
    let n = 0;
    for (const camera of store.def.cameras) if (ends.every((e) => cameraSees(store, camera, e))) n++;
    out.set(id, n);
  }
  return out;
}

/**
 * Chooses `count` ceiling cameras greedily from a grid of candidate poses (positions every metre at `height`,
 * looking straight down or tilted up to 2.4 m sideways) so that as many plates and as much floor as possible are
 * seen by two cameras.
 * Deterministic: ties go to the first candidate.
 */
export function placeCameras(
  store: Store,
  count: number,
  height: number,
  make: (id: string, at: Vec3, target: Vec3) => CameraDef,
  prefix = 'cam',
): CameraDef[] {
  const [x0, y0, x1, y1] = bounds(store);
  // Targets needing two views: both ends of each plate front (hands) and the walkable floor at torso height
  // (people: a shopper seen by one camera has no height and loses identity in a crowd).
  const ends = [
    ...[...store.plates.values()].map((info) => [
      plateHandPoint(info, 0.08, 0.14, 0.1),
      plateHandPoint(info, 0.08, 0.14, 0.9),
    ]),
    ...floorPoints(store, x0, y0, x1, y1).map((p) => [p]),
  ];
  const plateTargets = store.plates.size;
  const offsets: [number, number][] = [[0, 0]];
  for (const d of [0.8, 1.6, 2.4]) offsets.push([d, 0], [-d, 0], [0, d], [0, -d], [d, d], [-d, d], [d, -d], [-d, -d]);
  const candidates: { camera: CameraDef; sees: number[] }[] = [];
  for (let x = Math.ceil(x0) + 0.25; x < x1; x += 0.5) {
    for (let y = Math.ceil(y0) + 0.25; y < y1; y += 0.5) {
      if (
        store.def.fixtures.some((f) => x >= f.box.min[0] && x <= f.box.max[0] && y >= f.box.min[1] && y <= f.box.max[1])
      )
        continue;
      for (const [dx, dy] of offsets) {
        const camera = make('candidate', [x, y, height], [x + dx, y + dy, 0]);
        const sees: number[] = [];
        ends.forEach((pair, i) => {
          if (pair.every((e) => cameraSees(store, camera, e!))) sees.push(i);
        });
        if (sees.length > 0) candidates.push({ camera, sees });
      }
    }
  }
  // Cameras already in the store (the gate cameras) count towards coverage.
  const cover = ends.map((pair) => store.def.cameras.filter((c) => pair.every((e) => cameraSees(store, c, e!))).length);
  const chosen: { camera: CameraDef; sees: number[] }[] = [];
  for (let k = 0; k < count && candidates.length > 0; k++) {
    let best = 0;
    let bestGain = -1;
    candidates.forEach((c, i) => {
      let gain = 0;
      for (const p of c.sees)
        if (cover[p]! < 2) gain += (cover[p] === 0 ? 1.01 : 1) * (p < plateTargets ? PLATE_WEIGHT : 1);
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    });
    const pick = candidates.splice(best, 1)[0]!;
    for (const p of pick.sees) cover[p] = cover[p]! + 1;
    chosen.push(pick);
  }
  improveBySwaps(chosen, candidates, cover, plateTargets);
  return chosen.map((c, k) => ({ ...c.camera, id: `${prefix}-${String(k + 1).padStart(2, '0')}` }));
}

/**
 * Greedy leaves a few plates seen once; swap a chosen camera for a candidate whenever that raises the number of
 * plates seen at least twice, until no swap helps.
 */
function improveBySwaps(
  chosen: { camera: CameraDef; sees: number[] }[],
  candidates: { camera: CameraDef; sees: number[] }[],
  cover: number[],
  plateTargets: number,
): void {
  const score = () => cover.reduce((s, c, i) => s + Math.min(c, 2) * (i < plateTargets ? PLATE_WEIGHT : 1), 0);
  for (let round = 0; round < 20; round++) {
    const needy = new Set(cover.flatMap((c, i) => (c < 2 ? [i] : [])));
    if (needy.size === 0) return;
    let improved = false;
    for (const cand of candidates) {
      if (!cand.sees.some((p) => needy.has(p))) continue;
      const before = score();
      for (let k = 0; k < chosen.length && !improved; k++) {
        for (const p of chosen[k]!.sees) cover[p] = cover[p]! - 1;
        for (const p of cand.sees) cover[p] = cover[p]! + 1;
        if (score() > before) {
          candidates[candidates.indexOf(cand)] = chosen[k]!;
          chosen[k] = cand;
          improved = true;
        } else {
          for (const p of cand.sees) cover[p] = cover[p]! - 1;
          for (const p of chosen[k]!.sees) cover[p] = cover[p]! + 1;
        }
      }
      if (improved) break;
    }
    if (!improved) return;
  }
}

/** Walkable floor every metre, at torso height, off the fixtures. */
function floorPoints(store: Store, x0: number, y0: number, x1: number, y1: number): Vec3[] {
  const points: Vec3[] = [];
  for (let x = x0 + 0.5; x < x1; x += FLOOR_STEP_M) {
    for (let y = y0 + 0.5; y < y1; y += FLOOR_STEP_M) {
      const onFixture = store.def.fixtures.some(
        (f) => x >= f.box.min[0] - 0.2 && x <= f.box.max[0] + 0.2 && y >= f.box.min[1] - 0.2 && y <= f.box.max[1] + 0.2,
      );
      if (!onFixture && pointInPolygon([x, y], store.def.floor.outline)) points.push([x, y, 1.0]);
    }
  }
  return points;
}

function bounds(store: Store): [number, number, number, number] {
  const xs = store.def.floor.outline.map((p) => p[0]);
  const ys = store.def.floor.outline.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
