/**
 * The store server as a component: health and readiness (including a broker that goes away), the JSON API, the
 * staff pages mounted behind the token, cleanup after a failed start, and a graceful shutdown that leaves nothing
 * open (proved in a child process that must exit by itself).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startEmbeddedBroker } from '../src/server/broker.ts';
import { collectOutput } from './helpers/child-output.ts';
import { freePort, STORE_ID, waitFor } from './server-fixtures.ts';
import { asStaff, metricValue, type RunningServer, startTestServer } from './server-harness.ts';

describe('store server HTTP', () => {
  let running: RunningServer;
  before(async () => {
    running = await startTestServer();
  });
  after(() => running?.close());

  it('is live and ready with the embedded broker and SQLite', async () => {
    const health = await fetch(`${running.info.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${running.info.httpUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, broker: true, db: true });
    assert.match(running.info.db, /^sqlite .*events\.sqlite$/);
    assert.match(running.info.mqttUrl, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the store definition, an empty log and the snapshot', async () => {
    const store = (await (await fetch(`${running.info.httpUrl}/api/store`)).json()) as { id: string };
    assert.equal(store.id, STORE_ID);
    const events = await (await fetch(`${running.info.httpUrl}/api/events?after=0`, asStaff)).json();
    assert.deepEqual(events, { events: [], lastSeq: 0 });
    const bad = await fetch(`${running.info.httpUrl}/api/events?after=-3`, asStaff);
    assert.equal(bad.status, 400);
    const snapshot = (await (await fetch(`${running.info.httpUrl}/api/snapshot`, asStaff)).json()) as {
      stock: Record<string, Record<string, number>>;
    };
    assert.deepEqual(snapshot.stock.p1, { cola: 10 });
  });

  it('keeps carts, receipts and paths from anyone without the staff token', async () => {
    const url = running.info.httpUrl;
    for (const path of ['/api/snapshot', '/api/events', '/api/devices', '/api/journal', '/ws/events']) {
      const plain = await fetch(`${url}${path}`);
      assert.equal(plain.status, 401, path);
      const wrong = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer not-the-token' } });
      assert.equal(wrong.status, 401, path);
    }
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/events`);
    const refused = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(refused, 401);
  });

  it('exposes metrics with every reject code at zero before traffic', async () => {
    const text = await (await fetch(`${running.info.httpUrl}/metrics`)).text();
    assert.equal(metricValue(text, 'walkout_messages_rejected_total{code="TOO_LATE"}'), 0);
    assert.equal(metricValue(text, 'walkout_db_up'), 1);
    assert.equal(metricValue(text, 'walkout_sessions_inside'), 0);
  });

  it('mounts the staff pages behind the staff token', async () => {
    const page = await fetch(`${running.info.httpUrl}/staff/live`, { redirect: 'manual' });
    assert.notEqual(page.status, 404);
    assert.notEqual(page.status, 200, 'staff page served without a token');
    const api = await fetch(`${running.info.httpUrl}/api/staff/snapshot`, {
      ...asStaff,
    });
    assert.equal(api.status, 200);
  });
});

describe('store server readiness with an external broker', () => {
  it('turns not ready when the broker goes away, while staying live', async () => {
    const external = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    const running = await startTestServer({ mqtt: { broker: external.url } });
    try {
      assert.equal((await fetch(`${running.info.httpUrl}/readyz`)).status, 200);
      await external.close();
      const ready = await waitFor(async () => {
        const r = await fetch(`${running.info.httpUrl}/readyz`);
        return r.status === 503 ? r.json() : undefined;
      });
      assert.deepEqual(ready, { ready: false, broker: false, db: true });
      assert.equal((await fetch(`${running.info.httpUrl}/healthz`)).status, 200);
      const text = await (await fetch(`${running.info.httpUrl}/metrics`)).text();
      assert.equal(metricValue(text, 'walkout_broker_up'), 0);
    } finally {
      await running.close();
    }
  });
});

describe('store server lifecycle', () => {
  it('cleans up what started when a later part fails to start', async () => {
    const mqttPort = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const address = blocker.address();
    const busyPort = typeof address === 'object' && address ? address.port : 0;
    try {
      await assert.rejects(
        startTestServer({ http: { host: '127.0.0.1', port: busyPort }, mqtt: { broker: 'embedded', port: mqttPort } }),
        /EADDRINUSE/,
      );
      // The broker from the failed start released its port: a new server can take it.
      const again = await startTestServer({ mqtt: { broker: 'embedded', host: '127.0.0.1', port: mqttPort } });
      assert.equal(again.info.mqttUrl, `mqtt://127.0.0.1:${mqttPort}`);
      await again.close();
      await again.server.stop();
    } finally {
      blocker.close();
    }
  });

  it('shuts down gracefully: the process exits by itself with the sim feed, MQTT and WebSocket in use', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./server-shutdown-child.ts', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = collectOutput(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `child did not exit cleanly (killed if null): ${output.err.slice(-2000)}`);
    const report = JSON.parse(output.out.trim().split('\n').pop() ?? '{}') as { stopped?: boolean; commands?: number };
    assert.equal(report.stopped, true);
    assert.ok((report.commands ?? 0) >= 1, 'the simulated shoppers got gate commands');
  });
});
