/** What a hand does to a plate: the weight the plate and its neighbour see. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { applyPlateAction } from './actions.ts';
import { FloorGrid } from './nav.ts';
import { stillBody } from './plan.ts';
import { PlateSensor } from './plates.ts';
import { createRng } from './random.ts';
import { testWorld } from './test-world.ts';
import type { Person, Stop, World } from './world.ts';

function store(): Store {
  const r = loadStoreFile(new URL('../../examples/convenience.yaml', import.meta.url).pathname);
  assert.ok(r.ok);
  return r.value;
}

/** A world with sensors under `plateIds` only, each reading 400 g of tare. */
function world(s: Store, grid: FloorGrid, plateIds: readonly string[], seed: number): World {
  const params = { tare: 400, sigma: 0.5, driftPerRootSec: 0 };
  const sensors = new Map(plateIds.map((id) => [id, new PlateSensor(id, params, 0, createRng(seed + 1), 0, 'full')]));
  return testWorld(s, { seed, grid, sensors });
}

function staff(): Person {
  const party = { visit: null, account: 'staff', staff: true, members: [], entryGate: 'entry-1', exitGate: 'exit-1' };
  const p = { id: 'staff-1', role: 'staff', child: false, height: 1.75, speed: 1.1, x: 0, y: 0, phase: 0 };
  return { ...p, party: { ...party, arrive: 0, scanTs: null, dwell: 0 }, state: 'inside', ...stillBody() } as Person;
}

test('a restock of many units rests at most one of them across the neighbouring plate', () => {
  const s = store();
  const [plateId, info] = [...s.plates].find(([, i]) => i.neighbours.length > 0 && i.plate.capacity[0]! >= 6)!;
  const unit = s.products.get(info.plate.skus[0]!)!.unitWeight;
  const grid = new FloorGrid(s);
  let splits = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const w = world(s, grid, [plateId, ...info.neighbours], seed);
    const before = new Map([...w.sensors].map(([id, sensor]) => [id, sensor.steadyGrams]));
    const stop: Stop = { kind: 'plate', plateId, action: 'restock', qty: 6, along: 0.5, tags: [] };
    applyPlateAction(w, staff(), stop, 0, 500, 900);
    const moved = [...w.sensors].flatMap(([id, sensor]) => {
      const delta = sensor.steadyGrams - before.get(id)!;
      return delta === 0 ? [] : [{ id, delta }];
    });
    const total = moved.reduce((sum, m) => sum + m.delta, 0);
    assert.ok(Math.abs(total - 6 * unit.mean) < 6 * 5 * unit.sd + 1, `seed ${seed}: ${total} g for 6 units`);
    const across = moved.filter((m) => m.id !== plateId);
    if (across.length === 0) continue;
    splits++;
    assert.equal(across.length, 1);
    assert.ok(info.neighbours.includes(across[0]!.id));
    assert.ok(across[0]!.delta > 0 && across[0]!.delta < 0.5 * (unit.mean + 5 * unit.sd), `seed ${seed}`);
  }
  assert.ok(splits >= 3, `${splits} splits in 200 restocks`);
});
