import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TrackSample, type TruthPath, trackingMetrics } from './metrics.ts';

/** A person walking along x at 1 m/s, sampled every 100 ms for n samples. */
function person(id: string, y: number, n = 10): TruthPath {
  return { personId: id, path: Array.from({ length: n }, (_, i) => [i * 100, i * 0.1, y] as [number, number, number]) };
}

/** Track samples that follow a truth path exactly over sample indices [from, to), with an offset in y. */
function follow(p: TruthPath, trackId: string, from = 0, to = p.path.length, dy = 0): TrackSample[] {
  return p.path.slice(from, to).map(([t, x, y]) => ({ t, trackId, x, y: y + dy }));
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('perfect tracking scores 1 on every metric', () => {
  const a = person('A', 1);
  const b = person('B', 4);
  const m = trackingMetrics([a, b], [...follow(a, 'T1'), ...follow(b, 'T2')]);
  close(m.mota, 1);
  close(m.idf1, 1);
  close(m.hota, 1);
  assert.equal(m.keptRate, 1);
  assert.deepEqual(
    m.kept.map((k) => k.trackId),
    ['T1', 'T2'],
  );
});

test('one identity switch lowers IDF1 by the share of samples on the wrong id, and MOTA by one switch', () => {
  const a = person('A', 1);
  // T1 for 8 samples, then T2 for the last 2: IDTP = 8 of 10 truth and 10 track samples.
  const m = trackingMetrics([a], [...follow(a, 'T1', 0, 8), ...follow(a, 'T2', 8)]);
  close(m.idf1, (2 * 8) / (10 + 10));
  close(m.mota, 1 - 1 / 10);
  assert.equal(m.idSwitches, 1);
  assert.equal(m.kept[0]!.kept, false);
  // Half and half: association accuracy 0.5, detection perfect → HOTA = √0.5.
  const half = trackingMetrics([a], [...follow(a, 'T1', 0, 5), ...follow(a, 'T2', 5)]);
  close(half.idf1, 0.5);
  close(half.hota, Math.sqrt(0.5));
});

test('misses and false positives lower MOTA as (FN + FP + IDSW) / GT', () => {
  const a = person('A', 1);
  const ghost: TrackSample[] = [0, 100, 200].map((t) => ({ t, trackId: 'G', x: 9, y: 9 }));
  // Tracked for 8 of 10 samples; a ghost track for 3 samples far from anyone.
  const m = trackingMetrics([a], [...follow(a, 'T1', 0, 8), ...ghost]);
  assert.equal(m.misses, 2);
  assert.equal(m.falsePositives, 3);
  close(m.mota, 1 - (2 + 3) / 10);
  close(m.idf1, (2 * 8) / (10 + 11));
});

test('a track beyond the 1 m threshold is a miss plus a false positive', () => {
  const a = person('A', 1);
  const m = trackingMetrics([a], follow(a, 'T1', 0, 10, 1.5));
  assert.equal(m.misses, 10);
  assert.equal(m.falsePositives, 10);
  close(m.mota, -1);
  close(m.idf1, 0);
  close(m.hota, 0);
});

test('HOTA averages over localisation thresholds: a constant 0.5 m offset passes half of them', () => {
  const a = person('A', 1);
  const m = trackingMetrics([a], follow(a, 'T1', 0, 10, 0.5));
  // Similarity 0.5 passes α = 0.05 … 0.50 (10 of 19) with perfect detection and association there.
  close(m.hota, 10 / 19);
  close(m.idf1, 1);
});

test('identity kept needs one track over ≥ 90% of the time inside and no switch', () => {
  const a = person('A', 1, 20);
  const b = person('B', 4, 20);
  // A: 19 of 20 samples on T1 (one missed) → kept. B: 17 of 20 → not kept.
  const m = trackingMetrics([a, b], [...follow(a, 'T1', 0, 19), ...follow(b, 'T2', 0, 17)]);
  assert.deepEqual(
    m.kept.map((k) => [k.personId, k.kept]),
    [
      ['A', true],
      ['B', false],
    ],
  );
  close(m.keptRate, 0.5);
});
