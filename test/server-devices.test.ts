/**
 * Device health at the edge of a live server: a plate whose clock runs 5 s behind shows that skew, the healthy plate
 * shows none, and once the healthy plate has reported for a while without the other, the quiet one is listed as
 * silent, both in /api/devices and in /metrics. A plate whose clock runs 30 s ahead is refused at the edge while the
 * other goes on being accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { STORE_ID, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, metricValue, type RunningServer, startTestServer } from './server-harness.ts';

type Devices = {
  plates: string[];
  cameras: string[];
  devices: { deviceId: string; kind: string; messages: number; skewMs: number | null; lastSeenAt: number | null }[];
};

/** A quiet plate's one-sample report, stamped `ts` by the plate's own clock. */
const weigh = (device: MqttClient, plate: string, ts: number) =>
  device.publishAsync(
    `walkout/${STORE_ID}/plates/${plate}/weight`,
    JSON.stringify({ v: 1, ts, hz: 1, grams: [3550] }),
    { qos: 1 },
  );

describe('device health: clock skew and silent plates', () => {
  let running: RunningServer;
  let device: MqttClient;
  before(async () => {
    // Device time here runs faster than the wall clock (12 s of it in a moment), as in a replay: no clock gate.
    running = await startTestServer({ ingest: { maxLeadMs: 0 } });
    device = await deviceClient(running.info.mqttUrl);
  });
  after(async () => {
    await device?.endAsync();
    await running?.close();
  });

  it('estimates each device clock skew and lists a plate gone quiet as silent', async () => {
    const http = running.info.httpUrl;
    const send = (plate: string, ts: number) => weigh(device, plate, ts);
    // p1's clock is 5 s behind; p2's is right. Then p1 goes quiet while p2 keeps reporting (device time moves on).
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      await send('p1', Date.now() - 5_000);
      await send('p2', Date.now());
    }
    for (let k = 1; k <= 12; k++) await send('p2', now + k * 1_000);

    const report = await waitFor(async () => {
      const body = (await (await fetch(`${http}/api/devices`, asStaff)).json()) as Devices;
      return body.plates.includes('p1') ? body : undefined;
    });
    const p1 = report.devices.find((d) => d.deviceId === 'p1');
    const p2 = report.devices.find((d) => d.deviceId === 'p2');
    assert.equal(p1?.messages, 5);
    assert.ok(p1?.skewMs !== null && Math.abs((p1?.skewMs ?? 0) + 5_000) < 1_000, `p1 skew ${p1?.skewMs}`);
    assert.equal(p2?.messages, 17);
    assert.deepEqual(report.plates, ['p1']);
    assert.equal(report.devices.find((d) => d.deviceId === 'door')?.skewMs, null);

    const metrics = await (await fetch(`${http}/metrics`)).text();
    const skew = metricValue(metrics, 'walkout_device_clock_skew_seconds{device="p1",kind="plate"}');
    assert.ok(skew !== null && Math.abs(skew + 5) < 1, `p1 skew metric ${skew}`);
    assert.equal(metricValue(metrics, 'walkout_silent_plates'), 1);
    assert.equal(metricValue(metrics, 'walkout_device_silent{device="p1",kind="plate"}'), 1);
    assert.equal(metricValue(metrics, 'walkout_device_silent{device="p2",kind="plate"}'), 0);
    assert.ok((metricValue(metrics, 'walkout_journal_rows') ?? 0) >= 22);
  });
});

describe('a device clock running ahead of the store', () => {
  let running: RunningServer;
  let device: MqttClient;
  before(async () => {
    running = await startTestServer();
    device = await deviceClient(running.info.mqttUrl);
  });
  after(async () => {
    await device?.endAsync();
    await running?.close();
  });

  it('is refused at the edge, and the other devices go on being accepted', async () => {
    const http = running.info.httpUrl;
    const send = (plate: string, ts: number) => weigh(device, plate, ts);
    // p2's clock runs 30 s ahead, p1's is right. Left in, p2 would move the store's clock 30 s on. p2 speaks first,
    // before any other device could be compared (the server's clock decides), and its messages are not awaited one
    // by one (nothing the journal has applied yet speaks for the store).
    await send('p2', Date.now() + 30_000);
    for (let i = 0; i < 5; i++) await send('p1', Date.now());
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        await send('p2', Date.now() + 30_000);
        await send('p1', Date.now());
      }),
    );
    await send('p1', Date.now());
    const report = await waitFor(async () => {
      const body = (await (await fetch(`${http}/api/devices`, asStaff)).json()) as Devices;
      return body.devices.find((d) => d.deviceId === 'p1')?.messages === 10 ? body : undefined;
    });
    const p2 = report.devices.find((d) => d.deviceId === 'p2');
    assert.equal(p2?.messages, 5, 'a refused device still shows in its health');
    assert.ok(p2?.skewMs !== null && Math.abs((p2?.skewMs ?? 0) - 30_000) < 1_000, `p2 skew ${p2?.skewMs}`);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.equal(metricValue(metrics, 'walkout_messages_rejected_total{code="CLOCK_SKEW"}'), 5);
    assert.equal(metricValue(metrics, 'walkout_messages_rejected_total{code="TOO_LATE"}'), 0, 'p1 was never too late');
    const snapshot = (await (await fetch(`${http}/api/snapshot`, asStaff)).json()) as { t: number };
    assert.ok(snapshot.t <= Date.now(), `the store's clock stayed with p1: ${snapshot.t - Date.now()} ms ahead`);
  });
});
