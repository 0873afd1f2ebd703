/**
 * The example stores: valid against the schema, of the promised size, every plate front seen by two cameras,
 * look-alike weights and multi-SKU plates present, and the committed YAML matching its generator.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { lookAlikePlates } from '../weight/separation.ts';
import { plateCoverage } from './examples/coverage.ts';
import { convenienceStore, kioskStore } from './examples/stores.ts';
import { EXAMPLE_TITLES, storeToYaml } from './examples/yaml.ts';
import { pointInPolygon } from './geometry.ts';

const file = (name: string) => new URL(`../../examples/${name}`, import.meta.url).pathname;

function load(name: string): Store {
  const r = loadStoreFile(file(name));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.value;
}

function area(poly: readonly [number, number][]): number {
  let s = 0;
  poly.forEach(([x, y], i) => {
    const [nx, ny] = poly[(i + 1) % poly.length]!;
    s += x * ny - nx * y;
  });
  return Math.abs(s) / 2;
}

test('the example YAML files are what the generator writes', () => {
  assert.equal(readFileSync(file('kiosk.yaml'), 'utf8'), storeToYaml(kioskStore(), EXAMPLE_TITLES.kiosk));
  assert.equal(
    readFileSync(file('convenience.yaml'), 'utf8'),
    storeToYaml(convenienceStore(), EXAMPLE_TITLES.convenience),
  );
});

test('kiosk: ~60 m², ~40 plates, 6 cameras, one entry and one exit', () => {
  const s = load('kiosk.yaml');
  assert.ok(Math.abs(area(s.def.floor.outline) - 60) <= 10);
  assert.ok(s.plates.size >= 35 && s.plates.size <= 50, `${s.plates.size} plates`);
  assert.equal(s.cameras.size, 6);
  assert.deepEqual(s.def.gates.map((g) => g.kind).sort(), ['entry', 'exit']);
});

test('convenience: ~250 m², ~300 plates, ~250 SKUs, about 24 cameras, entry and exit gates', () => {
  const s = load('convenience.yaml');
  assert.ok(Math.abs(area(s.def.floor.outline) - 250) <= 15);
  assert.ok(s.plates.size >= 270 && s.plates.size <= 340, `${s.plates.size} plates`);
  assert.ok(s.products.size >= 220 && s.products.size <= 280, `${s.products.size} SKUs`);
  assert.ok(s.cameras.size >= 22 && s.cameras.size <= 28, `${s.cameras.size} cameras`);
  for (const c of s.def.cameras) assert.ok(Math.abs(c.pose.position[2] - 3) < 0.3, `${c.id} at ceiling height`);
  assert.ok(s.def.gates.some((g) => g.kind === 'entry') && s.def.gates.some((g) => g.kind === 'exit'));
  assert.equal(s.def.currency, 'USD');
});

for (const name of ['kiosk.yaml', 'convenience.yaml']) {
  test(`${name}: every plate front is seen by at least two cameras`, () => {
    const s = load(name);
    const poor = [...plateCoverage(s)].filter(([, n]) => n < 2).map(([id]) => id);
    assert.deepEqual(poor, []);
  });

  test(`${name}: plates are 0.3–0.6 m wide on 0.3–1.8 m shelves and face an aisle on the floor`, () => {
    const s = load(name);
    for (const [id, info] of s.plates) {
      const b = info.plate.box;
      const alongY = Math.abs(info.fixture.facing[0]) > 0.5;
      const width = alongY ? b.max[1] - b.min[1] : b.max[0] - b.min[0];
      assert.ok(width >= 0.29 && width <= 0.61, `${id} width ${width}`);
      assert.ok(b.min[2] >= 0.3 && b.min[2] <= 1.8, `${id} height ${b.min[2]}`);
      // The middle of the reach volume must be on the floor and not inside another fixture.
      const r = info.reachBox;
      const mid: [number, number] = [(r.min[0] + r.max[0]) / 2, (r.min[1] + r.max[1]) / 2];
      const [fx, fy] = info.fixture.facing;
      const front: [number, number] = [mid[0] + fx * 0.3, mid[1] + fy * 0.3];
      assert.ok(pointInPolygon(front, s.def.floor.outline), `${id} faces the wall`);
      const blocked = s.def.fixtures.find(
        (f) => front[0] > f.box.min[0] && front[0] < f.box.max[0] && front[1] > f.box.min[1] && front[1] < f.box.max[1],
      );
      assert.equal(blocked, undefined, `${id} faces fixture ${blocked?.id}`);
    }
  });
}

test('convenience: look-alike products, multi-SKU plates that weight can split, plausible unit weights', () => {
  const s = load('convenience.yaml');
  const means = [...s.products.values()].map((p) => p.unitWeight.mean).sort((a, b) => a - b);
  let lookAlikes = 0;
  for (let i = 1; i < means.length; i++) if (means[i]! / means[i - 1]! - 1 <= 0.02) lookAlikes++;
  assert.ok(lookAlikes >= 20, `${lookAlikes} look-alike pairs`);
  const multi = [...s.plates.values()].filter((p) => p.plate.skus.length > 1);
  assert.ok(multi.length >= 8, `${multi.length} multi-SKU plates`);
  // Shared plates mix products weight can tell apart, but for the few kept for the near-equal-weights case.
  const nearEqualShared = multi.filter((p) => {
    const [a, b] = p.plate.skus.map((sku) => s.products.get(sku)!.unitWeight.mean);
    return Math.abs(a! / b! - 1) <= 0.02;
  });
  assert.equal(nearEqualShared.length, 2, 'two plates hold near-equal-weight SKUs');
  assert.deepEqual(
    lookAlikePlates(s).map((p) => p.plateId),
    nearEqualShared.map((p) => p.plate.id),
  );
  for (const p of s.products.values()) {
    assert.ok(p.price > 0 && p.unitWeight.mean > 1 && p.unitWeight.sd < p.unitWeight.mean * 0.2, p.sku);
  }
  for (const info of s.plates.values()) {
    const grams = info.plate.skus.reduce(
      (sum, sku, i) => sum + s.products.get(sku)!.unitWeight.mean * info.plate.capacity[i]!,
      0,
    );
    assert.ok(grams < info.plate.maxGrams, `${info.plate.id} full stock exceeds its load cell`);
  }
});
