/**
 * MQTT ingest end to end on real parts: a device client publishes a visit (plus a malformed and an unknown-device
 * message) to a real broker; the store server's engine decides, SQLite logs, gate commands come back over MQTT,
 * and the rejects show in /metrics. Runs against the embedded aedes broker, and against Mosquitto when installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { gateCommandTopic } from '../src/protocol/topics.ts';
import { STORE_ID, visitMessages, waitFor } from './server-fixtures.ts';
import {
  asStaff,
  deviceClient,
  MOSQUITTO,
  type Mosquitto,
  metricValue,
  type RunningServer,
  startMosquitto,
  startTestServer,
} from './server-harness.ts';

interface BrokerUnderTest {
  name: string;
  skip: string | false;
  /** Returns the broker setting for the server and a stop function. */
  start(): Promise<{ broker: string; stop(): Promise<void> }>;
}

const brokers: BrokerUnderTest[] = [
  { name: 'embedded aedes', skip: false, start: async () => ({ broker: 'embedded', stop: async () => {} }) },
  {
    name: 'Mosquitto',
    skip: MOSQUITTO ? false : 'mosquitto not on PATH (apt-get install mosquitto to run this suite)',
    async start() {
      const m: Mosquitto = await startMosquitto();
      return { broker: m.url, stop: () => m.stop() };
    },
  },
];

for (const b of brokers) {
  describe(`MQTT ingest via ${b.name}`, { skip: b.skip }, () => {
    let running: RunningServer;
    let device: MqttClient;
    let stopBroker: () => Promise<void> = async () => {};
    const commands: { topic: string; payload: Record<string, unknown> }[] = [];

    before(async () => {
      const broker = await b.start();
      stopBroker = broker.stop;
      running = await startTestServer({ mqtt: { broker: broker.broker, host: '127.0.0.1', port: 0 } });
      device = await deviceClient(running.info.mqttUrl);
      device.on('message', (topic, payload) => commands.push({ topic, payload: JSON.parse(payload.toString()) }));
      await device.subscribeAsync(gateCommandTopic(STORE_ID, '+'), { qos: 1 });
    });

    after(async () => {
      await device?.endAsync();
      await running?.close();
      await stopBroker();
    });

    it('rejects malformed and unknown-device messages, counts them, and lets the visit through', async () => {
      const http = running.info.httpUrl;
      const ws = new WebSocket(`${http.replace('http', 'ws')}/ws/events`, asStaff);
      const streamed: { seq: number; type: string; t: number; data: unknown }[] = [];
      ws.on('message', (raw) => streamed.push(JSON.parse(raw.toString())));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

      const visit = visitMessages();
      await device.publishAsync(`walkout/${STORE_ID}/plates/p1/weight`, 'not json{', { qos: 1 });
      await device.publishAsync(
        `walkout/${STORE_ID}/plates/p9/weight`,
        JSON.stringify({ v: 1, ts: visit[0]!.payload.ts, hz: 1, grams: [100] }),
        { qos: 1 },
      );
      await Promise.all(visit.map((m) => device.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 })));

      // The scan is answered on the gate's command topic with the protocol payload.
      const command = await waitFor(() => commands.find((c) => c.topic === gateCommandTopic(STORE_ID, 'door')));
      assert.deepEqual(Object.keys(command.payload).sort(), ['action', 'admit', 'reason', 'ts', 'v']);
      assert.equal(command.payload.action, 'open');
      assert.equal(command.payload.admit, 1);
      assert.equal(command.payload.ts, visit.find((m) => m.topic.endsWith('/scan'))?.payload.ts);

      // The rest flowed: the water bottle reached the cart, visible in the event log API.
      const events = await waitFor(async () => {
        const body = (await (await fetch(`${http}/api/events?types=cart.line,shelf.event`, asStaff)).json()) as {
          events: { type: string; data: { sku?: string } }[];
        };
        return body.events.some((e) => e.type === 'cart.line') ? body.events : undefined;
      });
      assert.equal(events.find((e) => e.type === 'cart.line')?.data.sku, 'water');

      // Messages are counted once journalled and applied; through an external broker that is one commit each.
      const platesSent = visit.filter((m) => m.topic.includes('/plates/')).length + 2;
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${http}/metrics`)).text();
        const counted = metricValue(text, 'walkout_messages_in_total{kind="plate.weight"}') ?? 0;
        return counted >= platesSent ? text : undefined;
      });
      assert.equal(metricValue(metrics, 'walkout_messages_rejected_total{code="BAD_JSON"}'), 1);
      assert.equal(metricValue(metrics, 'walkout_messages_rejected_total{code="UNKNOWN_DEVICE"}'), 1);
      assert.equal(metricValue(metrics, 'walkout_messages_rejected_total{code="BAD_SCHEMA"}'), 0);
      const inPlates = metricValue(metrics, 'walkout_messages_in_total{kind="plate.weight"}');
      assert.equal(inPlates, platesSent);
      assert.equal(metricValue(metrics, 'walkout_shelf_events_total'), 1);
      assert.equal(metricValue(metrics, 'walkout_broker_up'), 1);
      assert.equal(metricValue(metrics, 'walkout_gate_commands_total{action="open"}'), 1);

      // Every logged event was streamed live with its sequence number, in order.
      const logged = (await (await fetch(`${http}/api/events`, asStaff)).json()) as { lastSeq: number };
      await waitFor(() => streamed.length >= logged.lastSeq, 3_000, 'WebSocket events');
      assert.deepEqual(
        streamed.map((e) => e.seq),
        Array.from({ length: streamed.length }, (_, i) => i + 1),
      );
      assert.ok(streamed.some((e) => e.type === 'message.rejected'));
      ws.close();
    });

    it('finalises the receipt after the shopper walks out and serves the snapshot', async () => {
      const http = running.info.httpUrl;
      const receipt = await waitFor(async () => {
        const body = (await (await fetch(`${http}/api/events?types=receipt.final`, asStaff)).json()) as {
          events: { data: { account: string; total: number; lines: { sku: string; qty: number }[] } }[];
        };
        return body.events[0]?.data;
      });
      assert.equal(receipt.account, 'alice');
      assert.deepEqual(
        receipt.lines.map((l) => [l.sku, l.qty]),
        [['water', 1]],
      );
      assert.equal(receipt.total, 100);
      const snapshot = (await (await fetch(`${http}/api/snapshot`, asStaff)).json()) as {
        stock: Record<string, unknown>;
      };
      assert.deepEqual(snapshot.stock.p2, { water: 9 });
    });
  });
}
