/**
 * A store box restarted after an outage longer than the clock-skew limit: the journal's last time is far behind the
 * devices', and once enough devices agree the store's clock follows them, instead of refusing every device as skewed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { T0, visitMessages, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, startServerIn } from './server-harness.ts';

const receipts = async (http: string) =>
  ((await (await fetch(`${http}/api/events?types=receipt.final`, asStaff)).json()) as { events: unknown[] }).events
    .length;

/** Starts the server on `dir`, sends one visit and waits for its receipt; returns what recovery replayed. */
async function visit(dir: string, start: number, code: string, expected: number): Promise<number> {
  const running = await startServerIn(dir);
  try {
    const device = await deviceClient(running.info.mqttUrl);
    for (const m of visitMessages({ start, code }))
      await device.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    await device.endAsync();
    await waitFor(async () => (await receipts(running.info.httpUrl)) === expected, 10_000, `receipt ${expected}`);
    return running.info.recovery.calls;
  } finally {
    await running.server.stop();
  }
}

describe('restart after an outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-outage-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows the devices clock an hour on, once they agree, and checks the next shopper out', async () => {
    const sent = visitMessages().length;
    assert.equal(await visit(dir, T0, 'demo:ann:1', 1), 0);
    assert.equal(await visit(dir, T0 + 60 * 60_000, 'demo:bob:1', 2), sent, 'the first visit was replayed');
  });
});
