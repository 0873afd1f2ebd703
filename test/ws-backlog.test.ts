/**
 * /ws/events?after=: a backlog longer than one read page arrives whole, in order and once, then the live stream
 * goes on from it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent } from '../src/engine/events.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import { EventHub } from '../src/server/event-hub.ts';
import { buildHttp } from '../src/server/http.ts';
import { createServerMetrics } from '../src/server/metrics.ts';
import { PlateTraces } from '../src/server/plate-traces.ts';
import { MemoryEventLog } from '../src/storage/event-log.ts';
import { testStore } from './server-fixtures.ts';
import { asStaff } from './server-harness.ts';

test('a WebSocket backlog of several pages arrives whole, once, in order, then live events', async (t) => {
  const log = new MemoryEventLog();
  const hub = new EventHub(log);
  const command = (i: number): EngineEvent => ({
    type: 'gate.command',
    t: i,
    data: { gateId: 'door', action: 'open', admit: 1, reason: `r${i}` },
  });
  for (let i = 1; i <= 2_500; i++) await log.append(command(i));
  const store = testStore();
  const engine = createEngine({ store, authorizer: createDemoAuthorizer(), sink: hub.sink });
  const probes = {
    sessionsInside: () => 0,
    reviewsOpen: () => 0,
    engineNow: () => 0,
    wallNow: () => Date.now(),
    brokerUp: () => true,
    dbUp: () => true,
    silentDevices: () => ({ plates: [], cameras: [] }),
    devices: () => [],
    journal: () => ({ rows: 0, bytes: 0, lastSeq: 0 }),
    journalBacklog: () => 0,
  };
  const app = await buildHttp({
    engine,
    store,
    log,
    hub,
    metrics: createServerMetrics(probes, { defaultMetrics: false }),
    traces: new PlateTraces(),
    staffToken: 'test-staff-token-0123456789',
    logger: pino({ level: 'silent' }),
    ready: async () => ({ broker: true, db: true }),
    devices: () => ({}),
    journal: () => ({}),
    applied: async () => {},
  });
  t.after(() => app.close());
  const url = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  const ws = new WebSocket(`${url}/ws/events?after=10`, asStaff);
  const seqs: number[] = [];
  const all = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      seqs.push(JSON.parse(String(data)).seq);
      if (seqs.length === 2_491) resolve();
    }),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  hub.sink(command(2_501));
  await all;
  ws.close();
  assert.deepEqual(
    seqs,
    Array.from({ length: 2_491 }, (_, i) => i + 11),
  );
});
