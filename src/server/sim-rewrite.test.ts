/**
 * Stitching simulator chunks into one feed: timestamps moved when the simulator ignored the start, entry codes made
 * unique per chunk, and plate weights carried on across chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkRewriter } from './sim-rewrite.ts';

const plate = (ts: number, grams: number[]) => ({
  topic: 'walkout/s/plates/p1/weight',
  payload: { v: 1, ts, hz: 1, grams },
});
const scan = (ts: number, code: string) => ({ topic: 'walkout/s/gates/g/scan', payload: { v: 1, ts, code } });
const body = (m: { payload: string } | null) => JSON.parse(m?.payload ?? 'null');

describe('ChunkRewriter', () => {
  it('keeps honoured start times and moves ignored ones to the chunk start', () => {
    const r = new ChunkRewriter();
    r.beginChunk(0, 1_000_000);
    assert.equal(r.rewrite(plate(1_000_500, [1]))?.ts, 1_000_500);
    r.beginChunk(1, 5_000_000);
    const moved = r.rewrite(plate(100, [1]));
    assert.equal(moved?.ts, 5_000_000);
    assert.equal(body(moved).ts, 5_000_000);
    assert.equal(r.rewrite(plate(1_100, [1]))?.ts, 5_001_000);
    assert.equal(r.lastTs(), 5_001_000);
  });

  it('makes entry codes unique after the first chunk', () => {
    const r = new ChunkRewriter();
    r.beginChunk(0, 0);
    assert.equal(body(r.rewrite(scan(0, 'demo:ann:2'))).code, 'demo:ann:2');
    r.beginChunk(2, 0);
    assert.equal(body(r.rewrite(scan(0, 'demo:ann:2'))).code, 'demo:ann.c2:2');
    assert.equal(body(r.rewrite(scan(0, 'staff:sam'))).code, 'staff:sam.c2');
    assert.equal(body(r.rewrite(scan(0, 'garbage'))).code, 'garbage');
  });

  it('carries each plate on from its last weight instead of restocking it', () => {
    const r = new ChunkRewriter();
    r.beginChunk(0, 0);
    r.rewrite(plate(0, [1000]));
    r.rewrite(plate(1000, [1000, 645]));
    r.beginChunk(1, 2000);
    assert.deepEqual(body(r.rewrite(plate(2000, [1000]))).grams, [645]);
    assert.deepEqual(body(r.rewrite(plate(3000, [1000, 290]))).grams, [645, -65]);
  });

  it('drops payloads it cannot place in time', () => {
    const r = new ChunkRewriter();
    r.beginChunk(0, 0);
    assert.equal(r.rewrite({ topic: 'walkout/s/plates/p1/weight', payload: 'text' }), null);
    assert.equal(r.rewrite({ topic: 'walkout/s/plates/p1/weight', payload: { v: 1 } }), null);
  });
});
