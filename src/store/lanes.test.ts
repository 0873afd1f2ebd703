import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alongPlate, laneOf, shelfAxis } from './lanes.ts';
import { parseStore } from './load-store.ts';
import type { PlateDef } from './schema.ts';
import { tinyStoreDef } from './tiny-store.ts';

/** The tiny store's plate (along x, facing +y) holding `skus`. */
function plateWith(skus: string[], extra: Partial<PlateDef> = {}) {
  const def = tinyStoreDef();
  def.products.push({ sku: 'SODA', name: 'Soda', price: 199, unitWeight: { mean: 360, sd: 3 }, ageRestricted: false });
  Object.assign(def.fixtures[0]!.shelves[0]!.plates[0]!, { skus, capacity: skus.map(() => 5), ...extra });
  const r = parseStore(def);
  if (!r.ok) throw new Error(r.reason);
  return r.value.plates.get('g1.s1.p1')!;
}

test('a multi-SKU plate lays its SKUs out in equal lanes, in planogram order along its shelf', () => {
  const info = plateWith(['WATER', 'SODA']);
  assert.equal(shelfAxis(info), 0);
  assert.deepEqual(laneOf(info, 'WATER'), [0, 0.5]);
  assert.deepEqual(laneOf(info, 'SODA'), [0.5, 1]);
  assert.deepEqual(alongPlate(info, [1.375, 1.6, 1.1]), { along: 0.75, length: 0.5 });
});

test('one SKU, a mixed plate or a SKU the plate does not stock has no lane', () => {
  assert.equal(laneOf(plateWith(['WATER']), 'WATER'), undefined);
  assert.equal(laneOf(plateWith(['WATER', 'SODA'], { mixed: true }), 'SODA'), undefined);
  assert.equal(laneOf(plateWith(['WATER', 'SODA']), 'MILK'), undefined);
});
