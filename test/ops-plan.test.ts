/**
 * The planner: the bill of materials by hand on the ops test store, the default price book, camera coverage with an
 * occluding fixture and a camera looking away, the variants, the recommendation, the report, and one short
 * end-to-end run of `runPlan` with the simulator when it is there.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bomCounts, computeBom } from '../src/ops/bom.ts';
import { cameraSeesPoint, computeCoverage, plateFrontPoints } from '../src/ops/coverage.ts';
import { recommend, runPlan, type VariantPlan } from '../src/ops/plan.ts';
import { defaultShoppers, loadBenchDeps, wilson } from '../src/ops/plan-predict.ts';
import { formatPlanText, money, renderPlanHtml } from '../src/ops/plan-report.ts';
import { buildVariants, defaultVariantSpecs } from '../src/ops/plan-variants.ts';
import { loadPriceBook, type PriceBook, parsePriceBook } from '../src/ops/prices.ts';
import { OPS_CAMERAS, opsStore, opsStoreDef } from '../src/ops/test-fixtures.ts';
import { projectPoint } from '../src/store/camera.ts';
import { polygonArea } from '../src/store/geometry.ts';

const book = (): PriceBook => {
  const parsed = parsePriceBook({
    version: 1,
    date: '2026-11',
    currency: 'USD',
    items: {
      plate: { name: 'plate', unit: 'plate', price: 40 },
      shelfController: { name: 'controller', unit: 'c', price: 100 },
      camera: { name: 'camera', unit: 'c', price: 150.5 },
      edgeBox: { name: 'edge', unit: 'b', price: 1000 },
      switch: { name: 'switch', unit: 's', price: 300 },
      networkDrop: { name: 'drop', unit: 'd', price: 50 },
      gate: { name: 'gate', unit: 'g', price: 2000 },
    },
    rules: { platesPerController: 2, camerasPerEdgeBox: 3, portsPerSwitch: 4 },
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

test('bill of materials: counts by the sizing rules, prices in cents, total per m²', () => {
  const store = opsStore(); // 3 plates on one fixture, 4 cameras, 1 gate, 4 m × 5 m
  assert.deepEqual(bomCounts(store, book().rules), {
    plates: 3,
    controllers: 2, // ceil(3 / 2) on the one fixture
    cameras: 4,
    edgeBoxes: 2, // ceil(4 / 3)
    gates: 1,
    drops: 9, // 4 cameras + 2 controllers + 1 gate + 2 edge boxes
    switches: 3, // ceil(9 / 4)
  });
  const bom = computeBom(store, book());
  const byKey = Object.fromEntries(bom.lines.map((l) => [l.key, l]));
  assert.equal(byKey.camera?.unitPrice, 15050);
  assert.equal(byKey.camera?.total, 4 * 15050);
  const expected = 3 * 4000 + 2 * 10000 + 4 * 15050 + 2 * 100000 + 3 * 30000 + 9 * 5000 + 1 * 200000;
  assert.equal(bom.total, expected);
  assert.equal(bom.floorAreaM2, 20);
  assert.equal(bom.totalPerM2, Math.round(expected / 20));
  // No cameras: still one edge box (the engine runs there).
  const weightOnly = bomCounts(opsStore([]), book().rules);
  assert.equal(weightOnly.cameras, 0);
  assert.equal(weightOnly.edgeBoxes, 1);
});

test('plan money is in whole units of the currency: cents for USD, yen as they are', () => {
  assert.equal(money(123_456, 'USD'), 'USD 1,235');
  assert.equal(money(123_456, 'JPY'), 'JPY 123,456');
  assert.equal(money(null, 'USD'), '–');
});

test('the default price book loads, is dated 2026-11 and marked as estimates', () => {
  const loaded = loadPriceBook();
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.reason);
  assert.equal(loaded.value.date, '2026-11');
  assert.equal(loaded.value.estimate, true);
  assert.ok(Object.values(loaded.value.items).every((i) => i.price > 0 && i.source.length > 0));
  const bad = parsePriceBook({ version: 1, date: '2026-11', currency: 'USD', items: {}, rules: {} });
  assert.equal(bad.ok, false);
});

test('polygon area by the shoelace formula, either winding', () => {
  assert.equal(
    polygonArea([
      [0, 0],
      [4, 0],
      [4, 5],
      [0, 5],
    ]),
    20,
  );
  assert.equal(
    polygonArea([
      [0, 0],
      [0, 2],
      [3, 2],
      [3, 1],
      [1, 1],
      [1, 0],
    ]),
    4,
  );
});

test('coverage: two aisle cameras see every plate; a camera behind the fixture is blocked; one looking away is not', () => {
  const store = opsStore();
  const coverage = computeCoverage(store);
  assert.deepEqual(
    coverage.plates.map((p) => [p.plateId, p.cameras]),
    [
      ['p-cola', ['front-left', 'front-right']],
      ['p-chips', ['front-left', 'front-right']],
      ['p-mixed', ['front-left', 'front-right']],
    ],
  );
  assert.equal(coverage.twoViewFraction, 1);
  // The camera behind the gondola does image the point; only the fixture in between rules it out.
  const behind = OPS_CAMERAS()[2]!;
  const point = plateFrontPoints(store.plates.get('p-chips')!)[2]!;
  const p = projectPoint(behind, point);
  assert.ok(p.depth > 0 && p.u >= 0 && p.u < 1280 && p.v >= 0 && p.v < 720);
  assert.equal(cameraSeesPoint(behind, point, [store.def.fixtures[0]!.box]), false);
  assert.equal(cameraSeesPoint(behind, point, []), true);

  const one = computeCoverage(opsStore(OPS_CAMERAS().slice(1)));
  assert.equal(one.twoViewFraction, 0);
  assert.equal(one.oneViewFraction, 1);
  assert.deepEqual(one.weakPlates, ['p-cola', 'p-chips', 'p-mixed']);
  // Heat map: 0.5 m cells over 4 × 5 m, fixture cells left out, aisle cells seen.
  assert.equal(coverage.heat.cols * coverage.heat.rows, 8 * 10);
  assert.ok(coverage.heat.counts.filter((n) => n === null).length >= 6);
  assert.ok(Math.max(...coverage.heat.counts.map((n) => n ?? 0)) >= 2);
});

test('default variants: as designed, every other camera, weight only', () => {
  const def = opsStoreDef();
  const built = buildVariants(def, defaultVariantSpecs(def));
  assert.ok(built.ok);
  assert.deepEqual(
    built.value.map((v) => [v.name, v.store.def.cameras.map((c) => c.id), v.store.def.mode]),
    [
      ['as designed (4 cameras)', ['front-left', 'front-right', 'behind', 'away'], 'multi-shopper'],
      ['2 cameras', ['front-left', 'behind'], 'multi-shopper'],
      ['weight only', [], 'multi-shopper'],
    ],
  );
  const typo = buildVariants(def, [{ name: 'fewer', dropCameras: ['behind', 'front-lft'] }]);
  assert.ok(!typo.ok);
  assert.match(typo.reason, /variant "fewer": no camera front-lft/);
});

const plan = (name: string, total: number, exact: number | null, target: number): VariantPlan =>
  ({
    name,
    bom: { total },
    prediction: exact === null ? null : { exactReceiptRate: exact },
    meetsTarget: exact === null ? null : exact >= target,
  }) as VariantPlan;

test('recommends the cheapest variant that meets the target, else the most accurate', () => {
  const variants = [plan('24 cams', 900, 0.97, 0.95), plan('12 cams', 700, 0.96, 0.95), plan('weight', 500, 0.6, 0.95)];
  assert.equal(recommend(variants, 0.95).variant, '12 cams');
  const none = [plan('a', 900, 0.9, 0.99), plan('b', 700, 0.93, 0.99)];
  assert.equal(recommend(none, 0.99).variant, 'b');
  assert.equal(recommend([plan('a', 1, null, 0.9)], 0.9).variant, null);
  // Visits for a short run: one shopper inside per 20 m² (3–20 at once), about 3 minutes a visit.
  assert.equal(defaultShoppers(60, 10), 10);
  assert.equal(defaultShoppers(247.5, 10), 40);
  assert.equal(defaultShoppers(5000, 3), 20);
  const [lo, hi] = wilson(9, 10)!;
  assert.ok(lo > 0.55 && lo < 0.6 && hi > 0.98 && hi <= 1);
});

test('runPlan without simulation: bill and coverage per variant, text and a self-contained page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-plan-'));
  try {
    const storeFile = join(dir, 'shop.json');
    writeFileSync(storeFile, JSON.stringify(opsStoreDef()));
    const { plan: result, stores } = await runPlan(
      { storeFile, workDir: dir, target: 0.95, seed: 1, minutes: 1, difficulty: 'standard', skipPrediction: true },
      null,
    );
    assert.deepEqual(
      result.variants.map((v) => [v.cameras, v.coverage.twoViewFraction]),
      [
        [4, 1],
        [2, 0],
        [0, 0],
      ],
    );
    assert.ok(result.variants[0]!.bom.total > result.variants[2]!.bom.total);
    assert.equal(result.recommendation.variant, null);
    const text = formatPlanText(result);
    assert.match(text, /ESTIMATES dated 2026-11/);
    assert.doesNotMatch(text, /weight cannot tell apart/);
    assert.match(text, /as designed \(4 cameras\)/);
    const html = renderPlanHtml(result, stores);
    assert.match(html, /<svg[^>]*class="coverage"/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
    assert.equal((html.match(/class="variant"/g) ?? []).length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const SIM = new URL('../src/sim/simulate.ts', import.meta.url).pathname;
const KIOSK = new URL('../examples/kiosk.yaml', import.meta.url).pathname;

test('runPlan with a short simulated run predicts accuracy and compute', {
  skip: existsSync(SIM) ? false : 'the simulator (src/sim/simulate.ts) is not there',
}, async () => {
  const bench = await loadBenchDeps();
  assert.ok(bench);
  const dir = mkdtempSync(join(tmpdir(), 'walkout-plan-'));
  try {
    const variantsFile = join(dir, 'variants.yaml');
    writeFileSync(variantsFile, 'variants:\n  - name: as designed\n');
    const { plan: result } = await runPlan(
      {
        storeFile: KIOSK,
        variantsFile,
        workDir: dir,
        target: 0.5,
        seed: 2,
        shoppers: 2,
        minutes: 2,
        difficulty: 'standard',
      },
      bench,
    );
    const p = result.variants[0]!.prediction;
    assert.ok(p, 'predicted');
    assert.ok(p.visits > 0);
    assert.ok(p.cpuSecondsPerStoreHour !== null && p.cpuSecondsPerStoreHour > 0);
    assert.ok(p.reviewRate >= 0 && p.reviewRate <= 1);
    assert.ok(existsSync(join(dir, 'variants', 'as-designed.yaml')));
    assert.match(readFileSync(join(dir, 'variants', 'as-designed.yaml'), 'utf8'), /kiosk-01/);
    // The kiosk keeps one look-alike pair (cola / Dr Pepper) on purpose: the plan says so.
    assert.match(formatPlanText(result), /note: 2 plate\(s\) mix products weight cannot tell apart/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
