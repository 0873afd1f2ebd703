/**
 * The first chunk's empty start is skipped: only the last lead-in before the first scan is kept, and everything is
 * moved earlier by the time skipped, keeping its order and spacing; never more than maxSkipMs is skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedMessage } from '../protocol/recording.ts';
import { LeadInTrim } from './sim-lead-in.ts';

const T = 1_000_000;
const plate = (ts: number): RecordedMessage => ({
  topic: 'walkout/s/plates/p1/weight',
  payload: { v: 1, ts, hz: 1, grams: [100] },
});
const scan = (ts: number): RecordedMessage => ({
  topic: 'walkout/s/gates/door/scan',
  payload: { v: 1, ts, code: 'x' },
});
const ts = (m: RecordedMessage) => (m.payload as { ts: number }).ts;

function run(trim: LeadInTrim, messages: RecordedMessage[]): RecordedMessage[] {
  const out = messages.flatMap((m) => trim.push(m));
  return [...out, ...trim.flush()];
}

describe('LeadInTrim', () => {
  it('keeps the lead-in before the first scan and moves the rest earlier', () => {
    const input = [...Array.from({ length: 90 }, (_, i) => plate(T + i * 1000)), scan(T + 90_000), plate(T + 91_000)];
    const out = run(new LeadInTrim({ leadInMs: 5_000, maxSkipMs: 300_000 }), input);
    // Readings from 85 s on survive (5 s before the scan), moved back by 85 s to start where the chunk started.
    assert.deepEqual(
      out.map(ts),
      [0, 1, 2, 3, 4, 5, 6].map((s) => T + s * 1000),
    );
    assert.equal(out[5]!.topic, 'walkout/s/gates/door/scan');
    assert.equal((out[5]!.payload as { code: string }).code, 'x');
  });

  it('skips nothing when someone scans at once, and at most maxSkipMs', () => {
    const early = new LeadInTrim({ leadInMs: 5_000, maxSkipMs: 300_000 });
    assert.deepEqual(run(early, [plate(T), scan(T + 2_000), plate(T + 3_000)]).map(ts), [T, T + 2_000, T + 3_000]);
    assert.equal(early.skippedMs(), 0);
    const quiet = new LeadInTrim({ leadInMs: 5_000, maxSkipMs: 20_000 });
    const out = run(quiet, [...Array.from({ length: 40 }, (_, i) => plate(T + i * 1000)), scan(T + 40_000)]);
    assert.equal(quiet.skippedMs(), 15_000);
    assert.equal(out[0] && ts(out[0]), T);
    assert.equal(ts(out[out.length - 1]!), T + 25_000);
  });

  it('lets a chunk without any scan through from its last lead-in', () => {
    const trim = new LeadInTrim({ leadInMs: 2_000, maxSkipMs: 300_000 });
    const out = run(
      trim,
      Array.from({ length: 10 }, (_, i) => plate(T + i * 1000)),
    );
    assert.deepEqual(out.map(ts), [T, T + 1000, T + 2000]);
    assert.equal(trim.skippedMs(), 7_000);
  });
});
