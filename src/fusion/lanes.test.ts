import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LaneRow } from '../store/lanes.ts';
import type { Vec3 } from '../store/schema.ts';
import { decideShelfEvent } from './attribute.ts';
import { DEFAULT_FUSION_CONFIG } from './config.ts';
import { laneFactor, normalCdf } from './lanes.ts';
import { context, reach, shelfEvent, shopper } from './test-fixtures.ts';

const config = DEFAULT_FUSION_CONFIG;

/** A 0.5 m plate along x from 0: gum in its lower half, mints in its upper half. */
const plate: LaneRow = {
  lanes: new Map([
    ['gum', [0, 0.5]],
    ['mints', [0.5, 1]],
  ]),
  along: (p) => ({ along: (p[0] ?? 0) / 0.5, length: 0.5 }),
};
const at = (x: number, sigma = 0.04) => ({ point: [x, 0, 1] as Vec3, sigma });

test('normalCdf matches the standard normal at a few points', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-5);
});

const fit = (x: ReturnType<typeof at> | undefined, sku: string, plates = [plate]) =>
  laneFactor(x, [{ sku, qty: 1 }], plates, config)?.fit;

test('[F2] a hand in one lane fits its SKU fully and the other lane little', () => {
  assert.equal(fit(at(0.1), 'gum'), 1);
  const other = fit(at(0.1), 'mints') ?? 1;
  assert.ok(other < 0.1, `mints fit ${other}`);
});

test('[F2] a hand at the lanes’ border, or seen vaguely, tells the lanes apart little', () => {
  const border = fit(at(0.25), 'mints') ?? 0;
  assert.ok(border > 0.9, `border ${border}`);
  const vague = fit(at(0.1, 0.5), 'mints') ?? 0;
  assert.ok(vague > 0.7, `vague ${vague}`);
});

test('[F2] an item misplaced on a plate with lanes may lie anywhere on it: half a lane’s fit on two lanes', () => {
  const foreign = laneFactor(at(0.1), [{ sku: 'cola', qty: 1 }], [plate], config);
  assert.ok(foreign && foreign.fit > 0.45 && foreign.fit < 0.6, `foreign ${foreign?.fit}`);
  assert.equal(foreign.placed, false);
});

test('[F2] the lanes say nothing without a reach seen, without lanes, or for SKUs of a plate without lanes', () => {
  assert.equal(fit(undefined, 'mints'), undefined);
  assert.equal(fit(at(0.1), 'mints', []), undefined);
  const other: LaneRow = { lanes: new Map([['mints', [0, 1]]]), along: plate.along };
  assert.equal(fit(at(0.1), 'cola', [plate, other]), undefined);
});

test('[F2] two flavours weight cannot split are told apart by the lane the hand reached into', () => {
  const event = shelfEvent({
    hypotheses: [
      { items: [{ sku: 'mints', qty: 1 }], probability: 0.5, residualGrams: 0.5 },
      { items: [{ sku: 'gum', qty: 1 }], probability: 0.5, residualGrams: -0.5 },
    ],
  });
  const inGum = shopper('S1', reach('t1', { reach: [0.12, 0, 1] }));
  const withLanes = decideShelfEvent(
    event,
    context({ candidates: [inGum], sessionsInside: ['S1'], lanes: [plate] }),
    config,
  );
  assert.equal(withLanes.kind, 'commit', withLanes.reason);
  assert.deepEqual(withLanes.kind === 'commit' && withLanes.items, [{ sku: 'gum', qty: 1 }]);
  const without = decideShelfEvent(event, context({ candidates: [inGum], sessionsInside: ['S1'] }), config);
  assert.equal(without.kind, 'review');
});

test('[F16] two shoppers taking two units at once: each hand is weighed by the lane it reached into', () => {
  // Both reached into the gum lane; weight alone cannot tell two gum from two mints, nor from one of each.
  const event = shelfEvent({
    grams: 20,
    hypotheses: [
      { items: [{ sku: 'mints', qty: 2 }], probability: 0.45, residualGrams: 0.5 },
      { items: [{ sku: 'gum', qty: 2 }], probability: 0.4, residualGrams: -0.5 },
      {
        items: [
          { sku: 'gum', qty: 1 },
          { sku: 'mints', qty: 1 },
        ],
        probability: 0.15,
        residualGrams: 0,
      },
    ],
  });
  const candidates = [
    shopper('S1', reach('t1', { reach: [0.1, 0, 1] })),
    shopper('S2', reach('t2', { reach: [0.18, 0, 1] })),
  ];
  const d = decideShelfEvent(event, context({ candidates, sessionsInside: ['S1', 'S2'], lanes: [plate] }), config);
  const top = d.alternatives[0];
  assert.deepEqual(top?.items, [{ sku: 'gum', qty: 1 }]);
  assert.deepEqual(top?.with?.[0]?.items, [{ sku: 'gum', qty: 1 }]);
  assert.ok(d.alternatives.every((a) => a.items.every((i) => i.sku === 'gum') || a.probability < 0.05));
});
