import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiptsBeforeReview } from '../bench/after-review.ts';
import { createDemoAuthorizer, demoEntryCode, sessionIdFor } from '../identity/demo-authorizer.ts';
import { topicFor } from '../protocol/topics.ts';
import { runSimulation } from '../sim/simulate.ts';
import { loadStoreFile, parseStore } from '../store/load-store.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import { byException } from '../weight/synthetic.ts';
import { createEngine } from './engine.ts';
import type { EngineEvent } from './events.ts';

const T0 = 1_767_600_000_000;

/** A kiosk visit taking one bottle, then staff finding a bottle on the floor after the receipt is final. */
function kioskDropStream(): { topic: string; payload: unknown }[] {
  const gate = (kind: 'gate.scan' | 'gate.pass', ts: number, extra: object) => ({
    ts,
    topic: topicFor('shop', kind, 'door'),
    payload: { v: 1, ts, ...extra },
  });
  const plate = byException(
    {
      plateId: 'g1.s1.p1',
      base: 5_600,
      changes: [{ t: 10_000, grams: 520, rampMs: 400 }],
      presses: [{ t0: 9_600, t1: 10_900, grams: 300 }],
    },
    T0,
    30_000,
    7,
  ).map((m) => ({
    ts: m.ts,
    topic: topicFor('shop', 'plate.weight', m.plateId),
    payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
  }));
  const found = { ts: T0 + 90_000, topic: topicFor('shop', 'item.found', 'staff-1'), payload: {} };
  found.payload = { v: 1, ts: found.ts, sku: 'WATER', at: [2, 2] };
  return [
    gate('gate.scan', T0 + 1_000, { code: demoEntryCode('ann', 1) }),
    gate('gate.pass', T0 + 2_000, { direction: 'in' }),
    gate('gate.pass', T0 + 20_000, { direction: 'out' }),
    ...plate,
    found,
  ]
    .sort((a, b) => a.ts - b.ts)
    .map(({ topic, payload }) => ({ topic, payload }));
}

test('an item found after the receipt is final leaves the only cart that held it, as a refund', () => {
  const store = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  assert.ok(store.ok);
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of kioskDropStream()) engine.ingest(m.topic, m.payload);
  engine.finish();
  const visit = sessionIdFor('door', T0 + 1_000);
  const kinds = events.map((e) => e.type).filter((k) => ['receipt.final', 'item.found', 'cart.line'].includes(k));
  assert.deepEqual(kinds, ['cart.line', 'receipt.final', 'item.found', 'cart.line']);
  const found = events.find((e) => e.type === 'item.found');
  assert.ok(found?.type === 'item.found');
  assert.deepEqual([found.data.sessionId, found.data.afterFinal], [visit, true]);
  const line = events.filter((e) => e.type === 'cart.line').at(-1);
  assert.ok(line?.type === 'cart.line');
  assert.deepEqual([line.data.kind, line.data.qty, line.data.evidence.foundId], ['correction', -1, found.data.foundId]);
  assert.deepEqual(receiptsBeforeReview(events).find((r) => r.visit === visit)?.lines, []);
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
    const dropper = truth.interactions.find((i) => i.kind === 'drop' && i.sku === f.sku && i.t < f.t);
    assert.equal(f.sessionId, dropper?.visit, `${f.sku} found at ${f.t}`);
  }
});
