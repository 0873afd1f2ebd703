import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { cameraPeopleSchema, plateWeightSchema } from './messages.ts';
import { isKeypoints, isNumberArray, wholeArray } from './whole-array.ts';

const T0 = 1_767_600_000_000;
/** Values a device could send where a number belongs; only the first three are zod numbers. */
const ODD = [
  0,
  -0,
  1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '1',
  null,
  undefined,
  [],
  {},
];

/** A small seeded generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const keypoints = () => Array.from({ length: 17 }, (_, i) => [100 + i, 200 - i, (i % 5) / 4]);

/** A good frame with one thing broken (or none), to compare the one-pass test with the element-wise schema. */
function variant(r: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const people = [
    { box: [1, 2, 30, 40], score: 0.8, keypoints: keypoints() },
    { box: [5, 6, 0, 0], score: 1, keypoints: keypoints() },
  ];
  const person = pick(people) as { box: unknown[]; score: unknown; keypoints: unknown[][] };
  const odd = pick(ODD);
  switch (Math.floor(r() * 9)) {
    case 0:
      person.box[Math.floor(r() * 4)] = pick([odd, -1, 2]);
      break;
    case 1:
      person.score = pick([odd, -0.01, 1.01, 0, 1]);
      break;
    case 2:
      person.keypoints[Math.floor(r() * 17)]![Math.floor(r() * 3)] = pick([odd, -0.5, 1.5, 1]);
      break;
    case 3:
      person.keypoints.length = pick([0, 16, 18]);
      break;
    case 4:
      person.keypoints[Math.floor(r() * 17)] = pick([[1, 2], [1, 2, 0.5, 4], odd]) as unknown[];
      break;
    case 5:
      person.box = pick([[1, 2, 3], [1, 2, 3, 4, 5], []]);
      break;
    case 6:
      return { v: 1, ts: T0, frame: 1, people: pick([odd, [odd], [people[0], null]]) };
    case 7:
      return { v: 1, ts: T0, frame: 1, people: Array.from({ length: pick([200, 201]) }, () => people[0]) };
  }
  return { v: 1, ts: T0, frame: 1, people };
}

test('the one-pass check of a frame agrees with the element-wise schema, issues included', () => {
  const exact = cameraPeopleSchema.extend({
    people: z
      .array(
        z.object({
          box: z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()]),
          score: z.number().min(0).max(1),
          keypoints: z.array(z.tuple([z.number(), z.number(), z.number().min(0).max(1)])).length(17),
        }),
      )
      .max(200),
  });
  const r = rng(7);
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const payload = variant(r);
    const fast = cameraPeopleSchema.safeParse(payload);
    const slow = exact.safeParse(payload);
    assert.equal(fast.success, slow.success, `case ${i}: ${JSON.stringify(payload)}`);
    if (!fast.success && !slow.success) {
      rejected++;
      const describe = (e: z.ZodError) => e.issues.map((x) => `${x.path.join('.')}: ${x.message}`);
      assert.deepEqual(describe(fast.error), describe(slow.error), `case ${i}`);
    }
  }
  assert.ok(rejected > 1000, `only ${rejected} of the variants were bad: the generator lost its teeth`);
});

test('a plate batch is one check: zod numbers only, 1 to 1000 of them, passed through uncopied', () => {
  for (const odd of ODD) {
    const grams = [1200, odd, 1201];
    const exact = z.array(z.number()).safeParse(grams).success;
    assert.equal(isNumberArray(grams, 1, 1000), exact, String(odd));
    assert.equal(plateWeightSchema.safeParse({ v: 1, ts: T0, hz: 60, grams }).success, exact, String(odd));
  }
  assert.equal(isNumberArray([], 1, 1000), false);
  assert.equal(isNumberArray(new Array(1000).fill(1), 1, 1000), true);
  assert.equal(isNumberArray(new Array(1001).fill(1), 1, 1000), false);
  // A hole reads as undefined, which zod rejects too.
  const holey = [1, 2, 3];
  delete holey[1];
  assert.equal(isNumberArray(holey, 1, 1000), false);
  const grams = [1, 2, 3];
  const parsed = plateWeightSchema.parse({ v: 1, ts: T0, hz: 60, grams });
  assert.equal(parsed.grams, grams);
  assert.equal(isKeypoints(keypoints(), 17), true);
  assert.equal(isKeypoints(keypoints(), 16), false);
});

test('a rejected array reports zod’s own path and message', () => {
  const r = plateWeightSchema.safeParse({ v: 1, ts: T0, hz: 60, grams: [1, 'heavy'] });
  assert.ok(!r.success);
  assert.deepEqual(
    r.error.issues.map((i) => [i.path.join('.'), i.message]),
    [['grams.1', 'Invalid input: expected number, received string']],
  );
  // A one-pass test that wrongly says no costs only time: the exact schema still decides.
  const lenient = wholeArray(z.array(z.number()), () => false);
  assert.equal(lenient.safeParse([1, 2]).success, true);
  assert.equal(lenient.safeParse([1, 'x']).success, false);
});
