import assert from 'node:assert/strict';
import { test } from 'node:test';
import { laneOf, laneRow, shelfAxis } from './lanes.ts';
import { parseStore } from './load-store.ts';
import type { PlateDef } from './schema.ts';
import { tinyStoreDef } from './tiny-store.ts';

/** The tiny store's plate (along x from 1 to 1.5, facing +y) holding `skus`, and a 0.5 m plate right of it. */
function platesWith(skus: string[], extra: Partial<PlateDef> = {}, next = ['MILK']) {
  const def = tinyStoreDef();
  def.products.push({ sku: 'SODA', name: 'Soda', price: 199, unitWeight: { mean: 360, sd: 3 }, ageRestricted: false });
  def.products.push({ sku: 'MILK', name: 'Milk', price: 149, unitWeight: { mean: 1040, sd: 8 }, ageRestricted: false });
  const plates = def.fixtures[0]!.shelves[0]!.plates;
  Object.assign(plates[0]!, { skus, capacity: skus.map(() => 5), ...extra });
  plates.push({
    ...plates[0]!,
    id: 'g1.s1.p2',
    box: { min: [1.5, 1, 1], max: [2, 1.5, 1.02] },
    skus: next,
    capacity: [5],
  });
  const r = parseStore(def);
  if (!r.ok) throw new Error(r.reason);
  return [r.value.plates.get('g1.s1.p1')!, r.value.plates.get('g1.s1.p2')!] as const;
}
const plateWith = (skus: string[], extra: Partial<PlateDef> = {}) => platesWith(skus, extra)[0];

test('a multi-SKU plate lays its SKUs out in equal lanes, in planogram order along its shelf', () => {
  const info = plateWith(['WATER', 'SODA']);
  assert.equal(shelfAxis(info), 0);
  assert.deepEqual(laneOf(info, 'WATER'), [0, 0.5]);
  assert.deepEqual(laneOf(info, 'SODA'), [0.5, 1]);
});

test('plates of one shelf read as one row: a one-SKU plate is a lane, a multi-SKU plate its lanes', () => {
  const row = laneRow(platesWith(['WATER', 'SODA']));
  assert.deepEqual(
    [...(row?.lanes ?? [])],
    [
      ['WATER', [0, 0.25]],
      ['SODA', [0.25, 0.5]],
      ['MILK', [0.5, 1]],
    ],
  );
  assert.deepEqual(row?.along([1.375, 1.6, 1.1]), { along: 0.375, length: 1 });
  // A SKU on both plates spans both; one lane alone, or a mixed plate alone, tells nothing apart.
  assert.deepEqual(laneRow(platesWith(['WATER', 'MILK']))?.lanes.get('MILK'), [0.25, 1]);
  assert.equal(laneRow(platesWith(['WATER'], {}, ['WATER'])), undefined);
  assert.equal(laneRow([plateWith(['WATER', 'SODA'], { mixed: true })]), undefined);
});

test('one SKU, a mixed plate or a SKU the plate does not stock has no lane', () => {
  assert.equal(laneOf(plateWith(['WATER']), 'WATER'), undefined);
  assert.equal(laneOf(plateWith(['WATER', 'SODA'], { mixed: true }), 'SODA'), undefined);
  assert.equal(laneOf(plateWith(['WATER', 'SODA']), 'MILK'), undefined);
});
