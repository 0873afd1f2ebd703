import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStore } from '../store/load-store.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import { lookAlikePlates, MIN_WEIGHT_SEPARATION_Z, weightSeparation } from './separation.ts';

test('two flavours of one can are look-alikes; a can and a bag of crisps are not', () => {
  const mango = { mean: 372, sd: 2.2 };
  const cherry = { mean: 373.5, sd: 2.2 };
  const crisps = { mean: 70, sd: 0.5 };
  assert.ok(weightSeparation(mango, cherry) < 1);
  assert.ok(weightSeparation(mango, crisps) > 20);
  // Cans are told apart by 3 % tolerance per unit: about 17 g of spread for the pair, so 4 σ is ~70 g.
  assert.ok(weightSeparation(mango, { mean: 372 + 75, sd: 2.2 }) > MIN_WEIGHT_SEPARATION_Z);
  assert.ok(weightSeparation(mango, { mean: 372 + 40, sd: 2.2 }) < MIN_WEIGHT_SEPARATION_Z);
});

test('the store check finds the plate mixing look-alikes and names the pair, not the one mixing separable products', () => {
  const def = tinyStoreDef();
  def.products.push(
    { sku: 'MANGO', name: 'Seltzer mango', price: 299, unitWeight: { mean: 372, sd: 2.2 }, ageRestricted: false },
    { sku: 'CHERRY', name: 'Seltzer cherry', price: 299, unitWeight: { mean: 373.5, sd: 2.2 }, ageRestricted: false },
  );
  const shelf = def.fixtures[0]!.shelves[0]!;
  shelf.plates[0]!.skus = ['WATER', 'MANGO'];
  shelf.plates[0]!.capacity = [5, 5];
  shelf.plates.push({
    id: 'g1.s1.p2',
    box: { min: [1.5, 1, 1], max: [2, 1.5, 1.02] },
    skus: ['MANGO', 'CHERRY'],
    capacity: [5, 5],
    maxGrams: 15_000,
  });
  const parsed = parseStore(def);
  assert.ok(parsed.ok);
  assert.deepEqual(
    lookAlikePlates(parsed.value).map((p) => [p.plateId, p.skus]),
    [['g1.s1.p2', ['MANGO', 'CHERRY']]],
  );
});
