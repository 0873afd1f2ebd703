/**
 * Ingestion under hostile input: a live store server (embedded broker, SQLite) takes a seeded stream of random and
 * mutated device messages over MQTT (random bytes, truncated JSON, wrong types, NaN-like and infinite values, huge
 * arrays, unknown devices and topics, negative and absurd timestamps, exact duplicates, messages out of order within
 * and beyond the reorder window, a wrong protocol version, staff finds of unknown products or off the floor),
 * interleaved with one good visit. The server must stay up, decide the good visit exactly as if the noise were
 * absent, and count every rejection by reason in /metrics exactly as an engine fed the same bytes in the same order
 * rejects them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent, LoggedEvent } from '../src/engine/events.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import { REJECT_CODES } from '../src/protocol/validate.ts';
import { isDeviceInput } from '../src/server/ingest.ts';
import { decodePayload } from '../src/server/journal.ts';
import { createRng, type Rng } from '../src/sim/random.ts';
import { STORE_ID, testStore, visitMessages, type WireMessage, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, metricValue, type RunningServer, startTestServer } from './server-harness.ts';

type Raw = { topic: string; payload: Buffer };

const topic = (device: string, id: string, message: string, store = STORE_ID) =>
  `walkout/${store}/${device}/${id}/${message}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** One piece of noise, built from the last good message (`good`) and the newest good time so far. */
function noise(rng: Rng, good: WireMessage, newest: number): Raw {
  const body = good.payload;
  const text = JSON.stringify(body);
  const p1 = topic('plates', 'p1', 'weight');
  const found = topic('handhelds', 'h1', 'found');
  const kinds: (() => Raw)[] = [
    () => ({ topic: good.topic, payload: Buffer.from(Array.from({ length: rng.int(0, 200) }, () => rng.int(0, 255))) }),
    () => ({ topic: good.topic, payload: Buffer.from(text.slice(0, rng.int(1, text.length - 1))) }),
    () => ({ topic: good.topic, payload: json({ ...body, ts: String(body.ts) }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest, hz: 60, grams: 'heavy' }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest, hz: 60, grams: [null, 3550] }) }),
    () => ({ topic: p1, payload: Buffer.from(`{"v":1,"ts":${newest},"hz":60,"grams":[1e400]}`) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest, hz: 'NaN', grams: [3550] }) }),
    () => ({
      topic: p1,
      payload: json({ v: 1, ts: newest, hz: 60, grams: Array.from({ length: 5_000 }, () => 3550) }),
    }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest, hz: 60, grams: [3550, 1e7] }) }),
    () => ({ topic: topic('plates', 'p9', 'weight'), payload: json({ v: 1, ts: newest, hz: 1, grams: [1] }) }),
    () => ({ topic: topic('gates', 'back-door', 'scan'), payload: json({ v: 1, ts: newest, code: 'demo:mallory:1' }) }),
    () => ({ topic: topic('cameras', 'c1', 'people'), payload: json({ v: 1, ts: newest, frame: 1, people: [] }) }),
    () => ({ topic: topic('plates', 'p1', 'volume'), payload: json({ v: 1, ts: newest }) }),
    () => ({ topic: `walkout/${STORE_ID}/plates/p1/weight/extra`, payload: json(body) }),
    () => ({ topic: topic('plates', 'p1', 'weight', 'other-store'), payload: json(body) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: -5, hz: 1, grams: [3550] }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: 5, hz: 1, grams: [3550] }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest + 10 ** 12, hz: 1, grams: [3550] }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: 1e300, hz: 1, grams: [3550] }) }),
    () => ({ topic: p1, payload: json({ v: 2, ts: newest, hz: 1, grams: [3550] }) }),
    () => ({ topic: good.topic, payload: json(body) }),
    // Out of order: inside the reorder window (accepted, harmless: p1's steady weight) and far beyond it.
    () => ({ topic: p1, payload: json({ v: 1, ts: newest - rng.int(20, 250), hz: 1, grams: [3550] }) }),
    () => ({ topic: p1, payload: json({ v: 1, ts: newest - rng.int(5_000, 30_000), hz: 1, grams: [3550] }) }),
    () => ({ topic: good.topic, payload: json([body]) }),
    () => ({ topic: good.topic, payload: Buffer.from('null') }),
    // A message sent as a JSON string holding its JSON: no message.
    () => ({ topic: good.topic, payload: json(text) }),
    // Staff handhelds: a product the store does not sell, a place off the floor, a find nobody is waiting on.
    () => ({ topic: found, payload: json({ v: 1, ts: newest, sku: 'caviar', at: [1, 1] }) }),
    () => ({ topic: found, payload: json({ v: 1, ts: newest, sku: 'water', at: [999, -999] }) }),
    () => ({ topic: found, payload: json({ v: 1, ts: newest, sku: 'water' }) }),
    () => ({
      topic: topic('handhelds', 'h1', 'assign'),
      payload: json({ v: 1, ts: newest, foundId: `found-h1-${rng.int(0, 1e6)}`, sessionId: null, staff: 'eve' }),
    }),
  ];
  return kinds[rng.int(0, kinds.length - 1)]!();
}

function fuzzStream(seed: number): Raw[] {
  const rng = createRng(seed);
  const out: Raw[] = [];
  let newest = 0;
  for (const m of visitMessages()) {
    out.push({ topic: m.topic, payload: json(m.payload) });
    newest = Math.max(newest, m.payload.ts as number);
    for (let k = rng.int(0, 4); k > 0; k--) out.push(noise(rng, m, newest));
  }
  return out;
}

/** What an engine fed the same bytes (those the server listens to) decides and rejects. */
function reference(stream: Raw[]): { events: EngineEvent[]; rejected: Partial<Record<string, number>> } {
  const events: EngineEvent[] = [];
  const engine = createEngine({ store: testStore(), authorizer: createDemoAuthorizer(), sink: (e) => events.push(e) });
  for (const m of stream) if (isDeviceInput(STORE_ID, m.topic)) engine.ingest(m.topic, decodePayload(m.payload));
  return { events, rejected: engine.stats().rejected };
}

const receipt = (e: { data: unknown }) => {
  const r = e.data as { account: string; total: number; lines: { sku: string; qty: number }[] };
  return { account: r.account, total: r.total, lines: r.lines.map((l) => [l.sku, l.qty]) };
};

describe('fuzzed device input against a live server', () => {
  let running: RunningServer;
  let device: MqttClient;
  before(async () => {
    // No quiet ticks: the reference engine gets none, and a tick mid-stream could turn a late message TOO_LATE.
    running = await startTestServer({ ingest: { tickQuietMs: 60_000 } });
    device = await deviceClient(running.info.mqttUrl);
  });
  after(async () => {
    await device?.endAsync();
    await running?.close();
  });

  it('stays up, decides the good visit, and counts every rejection by reason', async () => {
    const stream = fuzzStream(20250601);
    const expected = reference(stream);
    const expectedReceipts = expected.events.filter((e) => e.type === 'receipt.final').map(receipt);
    // The noise must not change the visit: the reference still charges alice one water.
    assert.deepEqual(expectedReceipts, [{ account: 'alice', total: 100, lines: [['water', 1]] }]);
    const codes = Object.keys(expected.rejected);
    assert.ok(codes.length >= 8, `the stream should exercise many reject codes, got ${codes.join(', ')}`);

    await Promise.all(stream.map((m) => device.publishAsync(m.topic, m.payload, { qos: 1 })));
    const http = running.info.httpUrl;
    const receipts = await waitFor(async () => {
      const body = (await (await fetch(`${http}/api/events?types=receipt.final`, asStaff)).json()) as {
        events: LoggedEvent[];
      };
      return body.events.length > 0 ? body.events : undefined;
    }, 10_000);
    assert.deepEqual(receipts.map(receipt), expectedReceipts);

    assert.equal((await fetch(`${http}/healthz`)).status, 200);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    for (const code of REJECT_CODES) {
      const counted = metricValue(metrics, `walkout_messages_rejected_total{code="${code}"}`);
      assert.equal(counted, expected.rejected[code] ?? 0, `rejections counted for ${code}`);
    }
    assert.equal(metricValue(metrics, 'walkout_engine_errors_total'), 0);
    const fed = stream.filter((m) => isDeviceInput(STORE_ID, m.topic)).length;
    const kinds = ['plate.weight', 'camera.people', 'gate.scan', 'gate.pass', 'item.found', 'found.assign', 'unknown'];
    const counted = kinds.reduce(
      (s, k) => s + (metricValue(metrics, `walkout_messages_in_total{kind="${k}"}`) ?? 0),
      0,
    );
    assert.equal(counted, fed, 'every message the server listens to was counted once');
  });
});
