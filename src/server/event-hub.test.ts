/**
 * The event hub: decisions logged in the order decided, delivered with their seq, a failing subscriber isolated,
 * and a failing log reported without stopping delivery.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent, LoggedEvent } from '../engine/events.ts';
import { type EventLog, MemoryEventLog } from '../storage/event-log.ts';
import { EventHub } from './event-hub.ts';

const ev = (i: number): EngineEvent => ({ type: 'device.back', t: i, data: { deviceId: `d${i}` } });

describe('EventHub', () => {
  it('logs and delivers in decision order with seq, even past a throwing subscriber', async () => {
    const log = new MemoryEventLog();
    const errors: Error[] = [];
    const decided: number[] = [];
    const hub = new EventHub(log, { onDecision: (e) => decided.push(e.t), onListenerError: (e) => errors.push(e) });
    const got: LoggedEvent[] = [];
    hub.subscribe(() => {
      throw new Error('broken page');
    });
    const off = hub.subscribe((e) => got.push(e));
    for (let i = 1; i <= 5; i++) hub.sink(ev(i));
    assert.deepEqual(decided, [1, 2, 3, 4, 5]);
    await hub.flush();
    assert.deepEqual(
      got.map((e) => [e.seq, e.t]),
      [1, 2, 3, 4, 5].map((i) => [i, i]),
    );
    assert.equal(errors.length, 5);
    off();
    hub.sink(ev(6));
    await hub.flush();
    assert.equal(got.length, 5);
    assert.equal((await log.read()).length, 6);
  });

  it('reports a failed append, marks itself unhealthy and still delivers', async () => {
    let fail = true;
    const inner = new MemoryEventLog();
    const log: EventLog = {
      append: (e) => (fail ? Promise.reject(new Error('disk full')) : inner.append(e)),
      read: (o) => inner.read(o),
      lastSeq: () => inner.lastSeq(),
      close: () => inner.close(),
    };
    const failures: string[] = [];
    const hub = new EventHub(log, { onAppendError: (e) => failures.push(e.message) });
    const got: number[] = [];
    hub.subscribe((e) => got.push(e.seq));
    hub.sink(ev(1));
    await hub.flush();
    assert.deepEqual(failures, ['disk full']);
    assert.equal(hub.appendsHealthy(), false);
    fail = false;
    hub.sink(ev(2));
    await hub.flush();
    assert.equal(hub.appendsHealthy(), true);
    assert.deepEqual(got, [0, 1]);
  });
});
