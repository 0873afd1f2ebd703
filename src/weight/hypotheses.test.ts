import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { weightConfig } from './config.ts';
import { type Candidate, locationLikelihood, rankHypotheses } from './hypotheses.ts';

const candidate = (sku: string, mean: number, sd: number, extra: Partial<Candidate> = {}): Candidate => ({
  sku,
  mean,
  sd,
  prior: 1,
  stock: 20,
  local: true,
  ...extra,
});

const label = (h: { items: { sku: string; qty: number }[] }) => h.items.map((i) => `${i.sku}×${i.qty}`).join('+');

describe('rankHypotheses', () => {
  it('ranks by posterior, with probabilities that sum to at most 1', () => {
    const r = rankHypotheses(200, 1, [candidate('a', 100, 2), candidate('b', 200, 2)], weightConfig());
    const p = r.hypotheses.map((h) => h.probability);
    assert.deepEqual(
      [...p].sort((x, y) => y - x),
      p,
    );
    assert.ok(p.reduce((s, x) => s + x, 0) <= 1 + 1e-9);
    // One unit of b beats two of a: extra units are less likely a priori.
    assert.equal(label(r.hypotheses[0]!), 'b×1');
    assert.equal(label(r.hypotheses[1]!), 'a×2');
  });

  it('lets the unit sd grow with the count (sqrt(n)·sd)', () => {
    const cfg = weightConfig({ relativeTolerance: 0 });
    const r = rankHypotheses(1030, 1, [candidate('a', 100, 5)], cfg);
    assert.equal(label(r.hypotheses[0]!), 'a×10');
    assert.ok(!r.flags.includes('unexplained-weight'), `z ${r.bestZ}`);
    assert.ok(Math.abs(r.bestZ - 30 / Math.sqrt(250 + 1 + 0.25)) < 1e-6);
  });

  it('allows the relative tolerance a real store needs', () => {
    const strict = rankHypotheses(590, 1, [candidate('water', 538, 5)], weightConfig({ relativeTolerance: 0 }));
    assert.ok(strict.flags.includes('unexplained-weight'));
    const loose = rankHypotheses(590, 1, [candidate('water', 538, 5)], weightConfig({ relativeTolerance: 0.05 }));
    assert.ok(!loose.flags.includes('unexplained-weight'));
    assert.equal(label(loose.hypotheses[0]!), 'water×1');
  });

  it('does not let a neighbouring plate that moved no grams supply half of a grab', () => {
    // Two units off plate A; the plate beside it holds a product of the same weight and did not move.
    const here = candidate('crisps', 160, 2, { share: 1 });
    const beside = candidate('crisps-bbq', 160, 2, { share: 0 });
    const r = rankHypotheses(320, 1, [here, beside], weightConfig());
    assert.equal(label(r.hypotheses[0]!), 'crisps×2');
    const mixed = r.hypotheses.find((h) => h.items.length === 2);
    assert.ok(!mixed || mixed.probability < 0.02, `mixed ${mixed?.probability}`);
    assert.ok(!r.flags.includes('ambiguous-item'));
    // Both plates moved their share: the mixed grab is the natural reading.
    const split = rankHypotheses(
      320,
      1,
      [
        { ...here, share: 0.5 },
        { ...beside, share: 0.5 },
      ],
      weightConfig(),
    );
    assert.equal(label(split.hypotheses[0]!), 'crisps×1+crisps-bbq×1');
  });

  it('uses the location prior to choose between similar weights', () => {
    const cands = [candidate('fire', 105.5, 3, { prior: 0.87 }), candidate('diablo', 103.9, 3, { prior: 0.23 })];
    const r = rankHypotheses(101, 1, cands, weightConfig());
    assert.equal(label(r.hypotheses[0]!), 'fire×1');
    assert.ok(!r.flags.includes('ambiguous-item'));
    const even = rankHypotheses(
      101,
      1,
      cands.map((c) => ({ ...c, prior: 1 })),
      weightConfig(),
    );
    assert.ok(even.flags.includes('ambiguous-item'));
  });

  it('caps picks at the stock and gives put-backs negative quantities', () => {
    const capped = rankHypotheses(300, 1, [candidate('a', 100, 1, { stock: 2 })], weightConfig());
    assert.ok(capped.hypotheses.every((h) => h.items[0]!.qty <= 2));
    assert.ok(capped.flags.includes('unexplained-weight'));
    const put = rankHypotheses(-300, 1, [candidate('a', 100, 1, { stock: 0 })], weightConfig());
    assert.equal(label(put.hypotheses[0]!), 'a×-3');
    assert.ok(Math.abs(put.hypotheses[0]!.residualGrams) < 1);
  });

  it('reports the residual as explained minus measured, removal-positive', () => {
    const r = rankHypotheses(95, 1, [candidate('a', 100, 1)], weightConfig());
    assert.ok(Math.abs(r.hypotheses[0]!.residualGrams - 5) < 1e-9);
    const put = rankHypotheses(-95, 1, [candidate('a', 100, 1)], weightConfig());
    assert.ok(Math.abs(put.hypotheses[0]!.residualGrams + 5) < 1e-9);
  });

  it('returns nothing plausible when there is no candidate', () => {
    const r = rankHypotheses(250, 1, [], weightConfig());
    assert.deepEqual(r.hypotheses, []);
    assert.deepEqual(r.flags, ['unexplained-weight']);
  });
});

describe('location likelihood', () => {
  // The AutoCheckout visit: 103 g left three plates, 83 % of it from the plates of "fire" (105.5 g), 17 % from the
  // plate of "diablo" (103.9 g); the weight alone cannot tell them apart.
  const cands = (fire: number, diablo: number) => [
    candidate('fire', 105.5, 3.2, { share: fire }),
    candidate('diablo', 103.9, 3.1, { share: diablo }),
  ];

  it('lets the plates that lost the weight decide between near-equal units', () => {
    const r = rankHypotheses(103.2, 1.2, cands(0.83, 0.17), weightConfig());
    assert.equal(label(r.hypotheses[0]!), 'fire×1');
    assert.ok(r.hypotheses[0]!.probability > 0.9, `p ${r.hypotheses[0]!.probability}`);
    assert.ok(!r.flags.includes('ambiguous-item'));
  });

  it('says little when the grams are split half and half, and nothing without location evidence', () => {
    const half = rankHypotheses(103.2, 1.2, cands(0.5, 0.5), weightConfig());
    assert.ok(half.flags.includes('ambiguous-item'));
    const none = rankHypotheses(103.2, 1.2, cands(0.83, 0.17), weightConfig({ locationSharpness: 1 }));
    assert.ok(none.flags.includes('ambiguous-item'), 'a flat location likelihood leaves the weight alone');
  });

  it('keeps a floor for a SKU on none of the plates (an unseen misplaced item)', () => {
    const cfg = weightConfig();
    assert.equal(locationLikelihood(0, cfg), cfg.locationFloor);
    assert.equal(locationLikelihood(1, cfg), 1);
    assert.equal(locationLikelihood(undefined, cfg), 1);
    assert.ok(locationLikelihood(0.75, cfg) > locationLikelihood(0.5, cfg));
  });
});
