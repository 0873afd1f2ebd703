import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiptsBeforeReview } from '../bench/after-review.ts';
import { FOUND_DEFAULTS } from '../fusion/found.ts';
import { createDemoAuthorizer, demoEntryCode, sessionIdFor } from '../identity/demo-authorizer.ts';
import type { SessionBook } from '../identity/session-book.ts';
import { topicFor } from '../protocol/topics.ts';
import { runSimulation } from '../sim/simulate.ts';
import { loadStoreFile, parseStore } from '../store/load-store.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import { byException } from '../weight/synthetic.ts';
import { createEngine } from './engine.ts';
import type { EngineEvent } from './events.ts';
import { FoundItems } from './found-items.ts';
import type { ShelfDecisions } from './shelf-decisions.ts';

const T0 = 1_767_600_000_000;

type Message = { ts: number; topic: string; payload: unknown };

const gate = (kind: 'gate.scan' | 'gate.pass', ts: number, extra: object): Message => ({
  ts,
  topic: topicFor('shop', kind, 'door'),
  payload: { v: 1, ts, ...extra },
});

/** Kiosk visits one after another, each taking one bottle 10 s after its scan and leaving 10 s later. */
function kioskVisits(accounts: readonly string[]): Message[] {
  const starts = accounts.map((_, i) => T0 + 1_000 + i * 30_000);
  const plate = byException(
    {
      plateId: 'g1.s1.p1',
      base: 5_600,
      changes: starts.map((s) => ({ t: s - T0 + 9_000, grams: 520, rampMs: 400 })),
      presses: starts.map((s) => ({ t0: s - T0 + 8_600, t1: s - T0 + 9_900, grams: 300 })),
    },
    T0,
    30_000 * accounts.length + 10_000,
    7,
  ).map((m) => ({
    ts: m.ts,
    topic: topicFor('shop', 'plate.weight', m.plateId),
    payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
  }));
  const gates = accounts.flatMap((account, i) => [
    gate('gate.scan', starts[i]!, { code: demoEntryCode(account, 1) }),
    gate('gate.pass', starts[i]! + 1_000, { direction: 'in' }),
    gate('gate.pass', starts[i]! + 19_000, { direction: 'out' }),
  ]);
  return [...gates, ...plate];
}

const handheld = (message: 'item.found' | 'found.assign', ts: number, body: object): Message => ({
  ts,
  topic: topicFor('shop', message, 'staff-1'),
  payload: { v: 1, ts, ...body },
});

function runKiosk(messages: Message[]) {
  const store = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  assert.ok(store.ok);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of messages.sort((a, b) => a.ts - b.ts)) engine.ingest(m.topic, m.payload);
  engine.finish();
  return { engine, events };
}

test('an item found after the receipt is final leaves the only cart that held it, as a refund', () => {
  const found = handheld('item.found', T0 + 90_000, { sku: 'WATER', at: [2, 2] });
  const { events } = runKiosk([...kioskVisits(['ann']), found]);
  const visit = sessionIdFor('door', T0 + 1_000);
  const kinds = events.map((e) => e.type).filter((k) => ['receipt.final', 'item.found', 'cart.line'].includes(k));
  assert.deepEqual(kinds, ['cart.line', 'receipt.final', 'item.found', 'cart.line']);
  const find = events.find((e) => e.type === 'item.found');
  assert.ok(find?.type === 'item.found');
  assert.deepEqual([find.data.sessionId, find.data.afterFinal], [visit, true]);
  const line = events.filter((e) => e.type === 'cart.line').at(-1);
  assert.ok(line?.type === 'cart.line');
  assert.deepEqual(
    [line.data.kind, line.data.qty, line.data.evidence.foundId, line.data.afterFinal],
    ['correction', -1, find.data.foundId, true],
  );
  const taken = events.find((e) => e.type === 'cart.line');
  assert.equal(taken?.type === 'cart.line' && taken.data.afterFinal, undefined, 'the pick came before the receipt');
  assert.deepEqual(receiptsBeforeReview(events).find((r) => r.visit === visit)?.lines, []);
});

test('a find two carts could explain waits for staff, who say whose it was; a wrong or second answer is rejected', () => {
  const [ann, bob] = [sessionIdFor('door', T0 + 1_000), sessionIdFor('door', T0 + 31_000)];
  const foundId = `found-staff-1-${T0 + 90_000}-WATER`;
  const { engine, events } = runKiosk([
    ...kioskVisits(['ann', 'bob']),
    handheld('item.found', T0 + 90_000, { sku: 'WATER', at: [2, 2] }),
    handheld('found.assign', T0 + 95_000, { foundId, sessionId: 'nobody@1', staff: 'sam' }),
    handheld('found.assign', T0 + 100_000, { foundId, sessionId: bob, staff: 'sam' }),
    handheld('found.assign', T0 + 105_000, { foundId, sessionId: ann, staff: 'sam' }),
  ]);
  const finds = events.flatMap((e) => (e.type === 'item.found' ? [e.data] : []));
  assert.deepEqual(
    finds.map((f) => [f.sessionId, f.assignedBy ?? null]),
    [
      [null, null],
      [bob, 'sam'],
    ],
  );
  assert.deepEqual(finds[0]!.candidates.map((c) => c.sessionId).sort(), [ann, bob].sort());
  const refund = events.filter((e) => e.type === 'cart.line').at(-1);
  assert.ok(refund?.type === 'cart.line');
  assert.deepEqual([refund.data.sessionId, refund.data.qty, refund.data.confidence], [bob, -1, 1]);
  assert.deepEqual(engine.stats().rejected, { NOT_IN_CART: 1, NO_SUCH_FIND: 1 });
  assert.deepEqual(engine.snapshot().found, []);
});

test('a handheld message is applied on arrival, however late its stamp; a resent find is a duplicate', () => {
  // Stamped 85 s before the newest plate reading: a sensor batch that late would be TOO_LATE.
  const late = handheld('item.found', T0 + 5_000, { sku: 'WATER', at: [2, 2] });
  const store = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  assert.ok(store.ok);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of kioskVisits(['ann']).sort((a, b) => a.ts - b.ts)) engine.ingest(m.topic, m.payload);
  assert.deepEqual(engine.ingest(late.topic, late.payload), { ok: true });
  const again = engine.ingest(late.topic, late.payload);
  assert.equal(!again.ok && again.code, 'DUPLICATE');
  const finds = events.flatMap((e) => (e.type === 'item.found' ? [e] : []));
  assert.equal(finds.length, 1);
  assert.equal(finds[0]!.t, engine.now(), 'decided at the engine time it arrived');
  assert.equal(finds[0]!.data.sessionId, sessionIdFor('door', T0 + 1_000));
});

test('a find before any device spoke waits, and the store runs on as if it had not come', () => {
  const early = handheld('item.found', T0 + 600_000, { sku: 'WATER', at: [2, 2] });
  const withFind = runKiosk([early, ...kioskVisits(['ann'])].map((m, i) => ({ ...m, ts: i === 0 ? 0 : m.ts })));
  const without = runKiosk(kioskVisits(['ann']));
  const decisions = (events: EngineEvent[]) => events.filter((e) => e.type !== 'item.found');
  assert.deepEqual(decisions(withFind.events), decisions(without.events));
  assert.equal(withFind.engine.snapshot().found.length, 1);
});

test('in a simulated store, a dropped item staff found leaves its dropper’s cart when decided', () => {
  const loaded = loadStoreFile(new URL('../../examples/convenience.yaml', import.meta.url).pathname);
  assert.ok(loaded.ok);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: loaded.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  const truth = runSimulation(loaded.value, { shoppers: 20, minutes: 10, seed: 7 }, (m) => {
    engine.ingest(m.topic, m.payload);
  });
  engine.finish();
  const finds = events.flatMap((e) => (e.type === 'item.found' ? [e.data] : []));
  const decided = finds.filter((f) => f.sessionId !== null);
  assert.ok(decided.length > 0, JSON.stringify(finds));
  for (const f of decided) {
    const dropped = truth.interactions.some(
      (i) => i.kind === 'drop' && i.sku === f.sku && i.visit === f.sessionId && i.t < f.t,
    );
    assert.ok(dropped, `${f.sku} found at ${f.t} taken off ${f.sessionId}, who dropped none`);
  }
});

test('where a shopper stood before the item could have been lying there does not make them its dropper', () => {
  const store = parseStore({ ...tinyStoreDef(), mode: 'multi-shopper' as const });
  assert.ok(store.ok);
  const [ann, bob] = ['ann@1', 'bob@1'];
  const session = (sessionId: string) => ({ sessionId, staff: false, opened: T0, state: 'open' as const });
  const sessions = {
    get: (id: string) => session(id),
    exitedAt: () => null,
    sessionOfTrack: (trackId: string) => session(trackId === 'T1' ? ann : bob),
  } as unknown as SessionBook;
  const appended: unknown[] = [];
  const shelf = {
    holding: () => [ann, bob],
    linesOf: () => [{ sku: 'WATER', qty: 1, t: T0 }],
    append: (lines: unknown[]) => appended.push(...lines),
  } as unknown as ShelfDecisions;
  const events: EngineEvent[] = [];
  const found = new FoundItems({
    store: store.value,
    sessions,
    shelf,
    emit: (e) => events.push(e),
    tracked: true,
    threshold: 0.9,
    config: FOUND_DEFAULTS,
  });
  const point = (x: number, t: number) => ({ t, x, y: 2, wristSigma: 0.05 });
  const findT = T0 + 30 * 60_000;
  // Ann stood on the spot 20 minutes before the find, then far from it; Bob passed 0.4 m from it 5 minutes before.
  for (let t = T0; t < findT; t += 1_000) {
    const annAt = t < findT - 20 * 60_000 ? 2 : 6;
    const bobAt = Math.abs(t - (findT - 5 * 60_000)) < 3_000 ? 2.4 : 8;
    found.observe(
      [
        { trackId: 'T1', point: point(annAt, t) },
        { trackId: 'T2', point: point(bobAt, t) },
      ],
      t,
    );
  }
  assert.deepEqual(
    found.onFound({ kind: 'item.found', v: 1, ts: findT, handheldId: 'h1', sku: 'WATER', at: [2, 2] }, findT),
    { ok: true, value: true },
  );
  const find = events.find((e) => e.type === 'item.found');
  assert.ok(find?.type === 'item.found');
  assert.equal(find.data.sessionId, bob, JSON.stringify(find.data.candidates));
  assert.equal(appended.length, 1);
});
