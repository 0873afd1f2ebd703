import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStore } from './load-store.ts';
import { tinyStoreDef as minimal } from './tiny-store.ts';

test('a valid store parses and is indexed', () => {
  const r = parseStore(minimal());
  assert.ok(r.ok);
  assert.equal(r.value.plates.get('g1.s1.p1')?.fixture.id, 'g1');
  assert.equal(r.value.def.mode, 'multi-shopper');
});

test('an unknown SKU is reported with its exact path', () => {
  const def = minimal();
  def.fixtures[0]!.shelves[0]!.plates[0]!.skus = ['X'];
  const r = parseStore(def);
  assert.ok(!r.ok);
  assert.match(r.reason, /^fixtures\[0\]\.shelves\[0\]\.plates\[0\]\.skus\[0\]: unknown SKU "X"$/m);
});

test('schema errors name every bad path at once', () => {
  const def = minimal() as Record<string, unknown>;
  def.currency = 'DOLLARS';
  (def.products as { price: number }[])[0]!.price = -5;
  const r = parseStore(def);
  assert.ok(!r.ok);
  assert.match(r.reason, /currency/);
  assert.match(r.reason, /products\[0\]\.price/);
});

test('duplicate plate ids and missing exit gates are refused', () => {
  const def = minimal();
  const shelf = def.fixtures[0]!.shelves[0]!;
  shelf.plates.push({ ...shelf.plates[0]! });
  def.gates = [
    {
      id: 'in',
      kind: 'entry',
      line: [
        [0, 0.5],
        [0, 1.5],
      ],
    },
  ];
  const r = parseStore(def);
  assert.ok(!r.ok);
  assert.match(r.reason, /duplicate plate id "g1.s1.p1"/);
  assert.match(r.reason, /needs an exit gate/);
});

test('a time zone the runtime does not know, and a SKU twice on one plate, are refused', () => {
  const def = minimal() as ReturnType<typeof minimal> & { timezone?: string };
  def.timezone = 'America/NewYork';
  const plate = def.fixtures[0]!.shelves[0]!.plates[0]!;
  plate.skus = [plate.skus[0]!, plate.skus[0]!];
  plate.capacity = [5, 7];
  const r = parseStore(def);
  assert.ok(!r.ok);
  assert.match(r.reason, /timezone: not an IANA time zone/);
  const fixed = parseStore({ ...def, timezone: 'America/New_York' });
  assert.ok(!fixed.ok);
  assert.match(fixed.reason, /plates\[0\]\.skus\[1\]: ".*" twice on the plate/);
});
