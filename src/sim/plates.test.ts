/**
 * The load cell and shelf controller: keep-alives while resting, 60 Hz streaming with 0.5 s of history when the
 * load moves, back to keep-alives after 2 s of quiet; full rate always streams; steps land as the weight moved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PlateBatch, PlateSensor } from './plates.ts';
import { createRng } from './random.ts';

const params = { tare: 400, sigma: 1, driftPerRootSec: 0.05 };

function run(sensor: PlateSensor, seconds: number, at: (t: number) => void = () => {}): PlateBatch[] {
  const out: PlateBatch[] = [];
  for (let k = 0; k < seconds * 10; k++) {
    at(k * 100);
    out.push(...sensor.tick(6, false).map((b) => ({ ...b, grams: [...b.grams] })));
  }
  return out;
}

test('a resting plate reports one mean per second near tare + stock', () => {
  const sensor = new PlateSensor('p', params, 1000, createRng(1), 0, 'exception');
  const batches = run(sensor, 20);
  assert.equal(batches.length, 20);
  for (const [i, b] of batches.entries()) {
    assert.equal(b.hz, 1);
    assert.equal(b.ts, i * 1000);
    assert.ok(Math.abs(b.grams[0]! - 1400) < 5, `${b.grams[0]}`);
  }
});

test('a pick streams 60 Hz batches from 0.5 s before the trigger until 2 s of quiet', () => {
  const sensor = new PlateSensor('p', params, 1000, createRng(2), 0, 'exception');
  const batches = run(sensor, 20, (t) => {
    if (t === 5000) sensor.addStep(5200, -355);
  });
  const fast = batches.filter((b) => b.hz === 60);
  assert.ok(fast.length >= 12, `${fast.length} fast batches`);
  assert.ok(fast.every((b) => b.grams.length === 12));
  assert.ok(fast[0]!.ts <= 5200 - 300 && fast[0]!.ts >= 5200 - 800, `streaming starts at ${fast[0]!.ts}`);
  for (let i = 1; i < fast.length; i++) assert.equal(fast[i]!.ts, fast[i - 1]!.ts + 200, 'contiguous 200 ms batches');
  const before = fast[0]!.grams[0]!;
  const after = fast.at(-1)!.grams.at(-1)!;
  assert.ok(Math.abs(before - after - 355) < 15, `moved ${before - after} g`);
  const lastFastEnd = fast.at(-1)!.ts + 200;
  assert.ok(lastFastEnd >= 7400, 'streams at least 2 s after the change');
  const slowAfter = batches.filter((b) => b.hz === 1 && b.ts >= lastFastEnd);
  assert.ok(slowAfter.length >= 5, 'keep-alives resume');
  assert.ok(slowAfter.every((b) => Math.abs(b.grams[0]! - 1045) < 6));
});

test('the keep-alive of a second in which a touch began is the mean of the whole second', () => {
  // The hand arrives mid-second; the item leaves near the end of it, before the controller sees a departure.
  const sensor = new PlateSensor('p', params, 1000, createRng(4), 0, 'exception');
  const batches = run(sensor, 12, (t) => {
    if (t === 5600) sensor.addStep(5900, -355);
  });
  const slow = batches.filter((b) => b.hz === 1);
  assert.ok(
    slow.some((b) => b.ts === 5000),
    'the second of the touch still sends its keep-alive',
  );
  for (const b of slow)
    assert.ok(b.grams[0]! > 1045 - 6 && b.grams[0]! < 1400 + 6, `keep-alive ${b.grams[0]} at ${b.ts}`);
});

test('a press that returns is streamed but leaves the level where it was', () => {
  const sensor = new PlateSensor('p', params, 500, createRng(3), 0, 'exception');
  const batches = run(sensor, 15, (t) => {
    if (t === 3000) sensor.addBump(3100, 600, 400);
  });
  const peak = Math.max(...batches.filter((b) => b.hz === 60).flatMap((b) => b.grams));
  assert.ok(peak > 1200, `bump peak ${peak}`);
  const last = batches.at(-1)!;
  assert.equal(last.hz, 1);
  assert.ok(Math.abs(last.grams[0]! - 900) < 5);
});

test('full rate sends 12 samples every 200 ms whatever happens', () => {
  const sensor = new PlateSensor('p', params, 0, createRng(4), 0, 'full');
  const batches = run(sensor, 3);
  assert.equal(batches.length, 15);
  batches.forEach((b, i) => {
    assert.equal(b.ts, i * 200);
    assert.equal(b.hz, 60);
    assert.equal(b.grams.length, 12);
  });
});

test('silent ticks send nothing', () => {
  const sensor = new PlateSensor('p', params, 0, createRng(5), 0, 'full');
  assert.deepEqual(sensor.tick(12, true), []);
});
