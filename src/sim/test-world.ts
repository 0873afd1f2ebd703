/** Test helper: a bare simulator world for unit tests of the agents and their actions. Not used by the simulator. */
import type { Store } from '../store/store.ts';
import { FloorGrid } from './nav.ts';
import { createRng } from './random.ts';
import { TruthRecorder } from './truth-recorder.ts';
import type { World } from './world.ts';

/** Nobody in it and no stock; the plate sensors, floor grid and message sink as given (default: none). */
export function testWorld(
  store: Store,
  o: { seed?: number; grid?: FloorGrid; sensors?: World['sensors']; emit?: World['emit'] } = {},
): World {
  const seed = o.seed ?? 1;
  return {
    store,
    rng: createRng(seed),
    grid: o.grid ?? new FloorGrid(store),
    sensors: o.sensors ?? new Map(),
    stock: new Map(),
    people: [],
    truth: new TruthRecorder(store.def.id, 1, 0, 2),
    emit: o.emit ?? (() => {}),
    silent: new Map(),
    silentPlan: [],
    misplaced: [],
    misplacedSeen: false,
    floor: [],
    floorRng: createRng(seed + 1),
  };
}
