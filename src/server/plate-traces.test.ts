/**
 * Plate traces: samples placed at their own times, windows cut by event time, retention and the batch cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlateTraces } from './plate-traces.ts';

describe('PlateTraces', () => {
  it('spreads each batch over its sample times and cuts the window', () => {
    const traces = new PlateTraces();
    traces.add('p1', { ts: 1_000, hz: 1, grams: [500] });
    traces.add('p1', { ts: 2_000, hz: 60, grams: [500, 490, 480] });
    traces.add('p2', { ts: 2_000, hz: 1, grams: [7] });
    assert.deepEqual(traces.weightTrace(['p1', 'p3'], 1_500, 2_020), {
      p1: [
        [2_000, 500],
        [2_017, 490],
      ],
      p3: [],
    });
  });

  it('orders a late batch into place', () => {
    const traces = new PlateTraces();
    traces.add('p1', { ts: 3_000, hz: 1, grams: [3] });
    traces.add('p1', { ts: 2_000, hz: 1, grams: [2] });
    assert.deepEqual(traces.weightTrace(['p1'], 0, 10_000).p1, [
      [2_000, 2],
      [3_000, 3],
    ]);
  });

  it('forgets batches older than the retention window and beyond the cap', () => {
    const traces = new PlateTraces({ retainMs: 10_000, maxBatches: 5 });
    for (let t = 0; t <= 20_000; t += 1_000) traces.add('p1', { ts: t, hz: 1, grams: [t] });
    const kept = traces.weightTrace(['p1'], 0, 30_000).p1!;
    assert.deepEqual(
      kept.map(([t]) => t),
      [16_000, 17_000, 18_000, 19_000, 20_000],
    );
    const wide = new PlateTraces({ retainMs: 3_000, maxBatches: 100 });
    for (let t = 0; t <= 5_000; t += 500) wide.add('p1', { ts: t, hz: 2, grams: [1, 1] });
    assert.equal(wide.batchesHeld(), 7);
    assert.equal(wide.weightTrace(['p1'], 0, 10_000).p1?.[0]?.[0], 2_000);
  });

  it('stays bounded over a long run', () => {
    const traces = new PlateTraces({ retainMs: 60_000, maxBatches: 1_000 });
    for (let t = 0; t < 3_600_000; t += 200) traces.add('p1', { ts: t, hz: 60, grams: [1] });
    assert.equal(traces.batchesHeld(), 301);
  });
});
