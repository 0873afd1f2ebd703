import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineOptions } from '../engine/types.ts';
import type { GroundTruth } from '../sim/truth.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import type { ShelfEvent } from '../weight/types.ts';
import { formatReport } from './report.ts';
import { renderHtmlReport } from './report-html.ts';
import { type BenchDeps, benchStore, type Simulate } from './run-bench.ts';

const T0 = 1_700_000_000_000;
const PLATE = 'g1.s1.p1';

const truth: GroundTruth = {
  storeId: 'shop',
  seed: 1,
  start: T0,
  end: T0 + 60_000,
  sampleHz: 10,
  visits: [
    {
      visit: 'a',
      account: 'a',
      members: ['pa'],
      entryGate: 'door',
      scanned: T0,
      entered: T0,
      exited: T0 + 30_000,
      receipt: [{ sku: 'WATER', qty: 1 }],
      staff: false,
    },
    {
      visit: 'b',
      account: 'b',
      members: ['pb'],
      entryGate: 'door',
      scanned: T0,
      entered: T0,
      exited: T0 + 40_000,
      receipt: [{ sku: 'WATER', qty: 1 }],
      staff: false,
    },
  ],
  interactions: [
    { t: T0 + 10_000, kind: 'pick', personId: 'pa', visit: 'a', plateId: PLATE, sku: 'WATER', qty: 1 },
    { t: T0 + 20_000, kind: 'pick', personId: 'pb', visit: 'b', plateId: PLATE, sku: 'WATER', qty: 1 },
  ],
  people: [],
  hardCases: {},
  faults: [],
};

function shelfEvent(id: string, tChange: number): ShelfEvent {
  return {
    id,
    fixtureId: 'g1',
    shelfId: 'g1.s1',
    plateIds: [PLATE],
    gramsByPlate: { [PLATE]: 520 },
    grams: 520,
    sigmaGrams: 2,
    tStart: tChange - 200,
    tChange,
    tSettled: tChange + 300,
    tDecided: tChange + 600,
    hypotheses: [{ items: [{ sku: 'WATER', qty: 1 }], probability: 0.97, residualGrams: 0 }],
    flags: [],
  };
}

/** Ticks the fake CPU clock: 10 µs per engine call, 1,000 µs per simulated message. */
const clock = { micros: 0 };

/** Walkout commits the first pick and asks for review on the second; the baseline gives both to shopper a. */
function fakeEngine(options: EngineOptions): Engine {
  const emit = (e: EngineEvent) => options.sink(e);
  const line = (sessionId: string, eventId: string, t: number, reviewCaseId?: string): EngineEvent => ({
    type: 'cart.line',
    t,
    data: {
      lineId: `${sessionId}/${t}`,
      sessionId,
      kind: 'add',
      sku: 'WATER',
      qty: 1,
      unitPrice: 199,
      evidence: { shelfEventId: eventId, ...(reviewCaseId ? { reviewCaseId } : {}) },
      confidence: reviewCaseId ? 1 : 0.95,
      t,
    },
  });
  return {
    ingest() {
      clock.micros += 10;
      return { ok: true };
    },
    tick() {},
    quiet: () => null,
    rebase() {},
    finish() {
      clock.micros += 10;
      for (const s of ['a', 'b']) {
        emit({
          type: 'session.opened',
          t: T0,
          data: {
            sessionId: s,
            account: s,
            partySize: 1,
            gateId: 'door',
            opened: T0,
            state: 'inside',
            trackIds: [],
            staff: false,
          },
        });
      }
      emit({ type: 'shelf.event', t: T0 + 10_600, data: shelfEvent('e1', T0 + 10_100) });
      emit(line('a', 'e1', T0 + 10_700));
      emit({ type: 'shelf.event', t: T0 + 20_600, data: shelfEvent('e2', T0 + 20_000) });
      if (options.policy === 'baseline') emit(line('a', 'e2', T0 + 20_700));
      else {
        emit({
          type: 'review.opened',
          t: T0 + 20_600,
          data: {
            caseId: 'R-e2',
            shelfEventId: 'e2',
            opened: T0 + 20_600,
            reason: 'close',
            alternatives: [],
            blocking: ['a', 'b'],
          },
        });
      }
    },
    resolveReview(caseId, choice, reviewer, t) {
      const at = t ?? T0 + 60_000;
      emit({ type: 'review.resolved', t: at, data: { caseId, choice, reviewer, t: at } });
      if (choice.sessionId) emit(line(choice.sessionId, 'e2', at, caseId));
      return { ok: true };
    },
    now: () => T0 + 60_000,
    stats: () => ({ accepted: 0, rejected: {}, shelfEvents: 2, reviewsOpen: 0 }),
    // Nobody tracked: the tracking scorer a test passes decides the figures.
    snapshot: () => ({
      t: T0 + 60_000,
      tracks: [],
      stock: {},
      sessions: [],
      carts: {},
      reviews: [],
      silentPlates: [],
      offlineCameras: [],
      found: [],
    }),
  };
}

const simulate: Simulate = (_store, _options, onMessage) => {
  for (let i = 0; i < 100; i++) {
    clock.micros += 1000;
    onMessage({ topic: 'walkout/shop/gates/door/pass', payload: { v: 1, ts: T0 + i, direction: 'in' } });
  }
  return truth;
};

describe('benchStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-bench-'));
  writeFileSync(join(dir, 'shop.yaml'), stringify(tinyStoreDef()));
  const deps: BenchDeps = {
    simulate,
    createEngine: fakeEngine,
    tracking: null,
    peakRssMb: () => 42,
    cpuMicros: () => clock.micros,
  };
  const run = { store: 'shop.yaml', shoppers: 2, minutes: 1, difficulty: 'standard' as const };

  it('scores Walkout before and after the oracle review, beside the baseline', async () => {
    const r = await benchStore(run, 7, dir, deps);
    assert.equal(r.store, 'shop');
    assert.equal(r.visits, 2);
    assert.equal(r.exactReceiptRate, 0.5, 'b waits on review, so before review it is charged nothing');
    assert.equal(r.afterReview.exactReceiptRate, 1, 'the oracle charged b');
    assert.equal(r.reviewEventsPer1000, 500);
    assert.equal(r.reviewVisitsPer1000, 1000);
    assert.equal(r.events.precision, 1);
    assert.equal(r.events.attributionAccuracy, 1);
    assert.equal(r.latency.shelfToCartP50Ms, 700);
    assert.equal(r.baseline.exactReceiptRate, 0, 'a charged twice, b nothing');
    assert.equal(r.baseline.itemPrecision, 0.5);
    assert.equal(r.baseline.events.attributionAccuracy, 0.5);
    assert.equal(r.baseline.reviewEventsPer1000, 0);
    assert.equal(r.tracking.idf1, null);
  });

  it('names in its notes each visit whose identity the tracks did not keep', async () => {
    const lost = { personId: 'p-1', visit: 'v-1', trackId: 'T2', coverage: 0.66, switches: 1 };
    const tracking = () => ({ idf1: 0.9, mota: 0.9, hota: 0.9, identityKeptRate: 0.5, identityLost: [lost] });
    const r = await benchStore(run, 7, dir, { ...deps, tracking });
    assert.deepEqual(r.tracking.identityLost, [lost]);
    assert.ok(r.notes.includes('identity not kept: p-1 (visit v-1, T2 66 % of the visit, 1 switch).'), `${r.notes}`);
  });

  it('counts only engine CPU time', async () => {
    const r = await benchStore(run, 7, dir, deps);
    // 100 messages → 100 ingests and one finish at 10 µs each, per engine; the simulator's 100 ms are not counted.
    assert.ok(Math.abs(r.cost.messagesPerCpuSecond! - 100 / 0.00101) < 1e-6);
    assert.ok(Math.abs(r.cost.realTimeFactor! - 60 / 0.00101) < 1e-3);
    assert.equal(r.cost.peakRssMb, 42);
  });

  it('renders the text table and a self-contained HTML report from the result', async () => {
    const r = await benchStore(run, 7, dir, deps);
    const result = { suite: 'quick', seed: 7, stores: [r], notes: [] };
    const text = formatReport(result);
    assert.match(text, /exact receipts\s+50\.0 %\s+0\.0 %/);
    assert.doesNotMatch(text, /wrong receipts before review/);
    // With --cases, the wrong receipt is listed under the table, with its cause (the JSON carries it always).
    const [wrong] = r.wrongBeforeReview.visits;
    assert.equal(r.wrongBeforeReview.visits.length, 1);
    const listed = formatReport(result, { cases: true });
    assert.match(listed, /wrong receipts before review \(1\)/);
    assert.ok(wrong && listed.includes(`  ${wrong.visit}  ${wrong.cause}`), listed);
    const html = renderHtmlReport(JSON.parse(JSON.stringify(result)));
    assert.match(html, /<details><summary>Review cases and wrong receipts/);
    assert.match(html, /<svg/);
    assert.doesNotMatch(html, /<script|src="http/);
    assert.equal((html.match(/<svg/g) ?? []).length, 4);
  });
});
