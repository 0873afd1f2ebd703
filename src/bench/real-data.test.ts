import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineOptions } from '../engine/types.ts';
import { tinyStore } from '../store/tiny-store.ts';
import { REAL_DATASET, realDataSection } from './real-data.ts';
import type { BenchDeps } from './run-bench.ts';

const T0 = 1_700_000_000_000;

/** Walkout charges one water; the baseline charges two. */
function fakeEngine(options: EngineOptions): Engine {
  let ingested = 0;
  const line = (qty: number): EngineEvent => ({
    type: 'cart.line',
    t: T0,
    data: {
      lineId: 'l',
      sessionId: 's',
      kind: 'add',
      sku: 'WATER',
      qty,
      unitPrice: 199,
      evidence: { shelfEventId: 'e' },
      confidence: 1,
      t: T0,
    },
  });
  return {
    ingest: () => {
      ingested += 1;
      return { ok: true };
    },
    tick: () => {},
    finish: () => options.sink(line(options.policy === 'baseline' ? 2 : ingested > 0 ? 1 : 0)),
    resolveReview: () => ({ ok: true }),
    quiet: () => null,
    rebase: () => {},
    now: () => T0,
    stats: () => ({ accepted: ingested, rejected: {}, shelfEvents: 0, reviewsOpen: 0 }),
    snapshot: () => {
      throw new Error('not used');
    },
  };
}

let micros = 0;
const deps: BenchDeps = {
  simulate: () => {
    throw new Error('not used');
  },
  createEngine: fakeEngine,
  tracking: null,
  peakRssMb: () => 1,
  cpuMicros: () => (micros += 500),
};

describe('realDataSection', () => {
  it('skips with a note when the data folder is absent', async () => {
    // A repo root inside a fresh folder, so its ../shared cannot exist whatever the machine's temp folder holds.
    const root = join(mkdtempSync(join(tmpdir(), 'walkout-nodata-')), 'repo');
    const r = await realDataSection(root, deps);
    assert.match(r.note, /skipped: .* is not present/);
    assert.equal(r.walkout, null);
  });

  it('skips with a note when the importer is missing, and reports both engines when it is there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'walkout-data-'));
    const repo = join(root, 'repo');
    mkdirSync(join(root, 'shared', 'data', REAL_DATASET), { recursive: true });
    const none = await realDataSection(repo, deps, undefined, async () => null);
    assert.match(none.note, /importer .* not available/);
    const messages = [0, 2000].map((dt) => ({
      topic: 'walkout/shop/gates/door/pass',
      payload: { v: 1, ts: T0 + dt, direction: 'in' },
    }));
    const r = await realDataSection(repo, deps, undefined, async () => () => ({ store: tinyStore(), messages }));
    assert.deepEqual(r.walkout?.charged, [{ sku: 'WATER', qty: 1 }]);
    assert.deepEqual(r.baseline?.charged, [{ sku: 'WATER', qty: 2 }]);
    // Two messages over 2 s of store time, 500 µs of fake CPU: 4,000 messages and 4,000 store seconds per CPU second.
    assert.equal(r.walkout?.messagesPerCpuSecond, 4000);
    assert.equal(r.walkout?.realTimeFactor, 4000);
  });
});
