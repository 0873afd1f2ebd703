/**
 * Journal epochs on a running store (docs/operations.md, "Retention"): once the store has been quiet long enough,
 * the engine starts over from its seed, the journal rows before the epoch are pruned, and a restart replays only
 * from there, with the stock the day left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { STORE_ID, T0, visitMessages, type WireMessage, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, metricValue, startServerIn } from './server-harness.ts';

type JournalInfo = { rows: number; lastSeq: number; recovery: { calls: number; matched: number; appended: number } };

const publish = async (device: MqttClient, messages: WireMessage[]) => {
  for (const m of messages) await device.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
};
const get = async <T>(http: string, path: string): Promise<T> =>
  (await (await fetch(`${http}${path}`, asStaff)).json()) as T;
const receipts = async (http: string) =>
  (await get<{ events: unknown[] }>(http, '/api/events?types=receipt.final&limit=100')).events.length;

/** The plates' once-a-second heartbeats (sent here once a minute) while nobody is inside. */
function heartbeats(fromMin: number, toMin: number, p2: number): WireMessage[] {
  return Array.from({ length: toMin - fromMin + 1 }, (_, i) => T0 + (fromMin + i) * 60_000).flatMap((ts) =>
    (['p1', 'p2'] as const).map((plate) => ({
      topic: `walkout/${STORE_ID}/plates/${plate}/weight`,
      payload: { v: 1, ts, hz: 1, grams: [plate === 'p1' ? 3550 : p2] },
    })),
  );
}

describe('journal epochs on a running store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-epoch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prunes the journal once the store is quiet, and a restart replays from the epoch with the stock left', async () => {
    const first = await startServerIn(dir, { journal: { epochMinutes: 5 } });
    let before: JournalInfo;
    try {
      const http = first.info.httpUrl;
      const device = await deviceClient(first.info.mqttUrl);
      await publish(device, visitMessages({ start: T0, code: 'demo:ann:1' }));
      await publish(device, heartbeats(2, 17, 4680));
      const pruned = await waitFor(
        async () => {
          const j = await get<JournalInfo>(http, '/api/journal');
          return j.rows < j.lastSeq / 2 ? j : undefined;
        },
        10_000,
        'the epoch and its prune',
      );
      // Ann's code, used before the epoch, is refused at the gate; replay from the epoch must answer it the same
      // way, though its first use is pruned (the gate's past answers are read from the epoch's log position).
      const again = {
        topic: `walkout/${STORE_ID}/gates/door/scan`,
        payload: { v: 1, ts: T0 + 17.5 * 60_000, code: 'demo:ann:1' },
      };
      await publish(device, [again]);
      await publish(device, visitMessages({ start: T0 + 18 * 60_000, code: 'demo:bob:1', p2: 4680 }));
      await device.endAsync();
      await waitFor(async () => (await receipts(http)) === 2, 10_000, 'the second receipt');
      const commands = await get<{ events: { data: { reason: string } }[] }>(http, '/api/events?types=gate.command');
      assert.deepEqual(
        commands.events.map((e) => e.data.reason),
        ['OK', 'QR_REPLAYED', 'OK'],
      );
      before = await get<JournalInfo>(http, '/api/journal');
      assert.ok(before.rows < before.lastSeq - pruned.rows, JSON.stringify({ pruned, before }));
      const metrics = await (await fetch(`${http}/metrics`)).text();
      assert.equal(metricValue(metrics, 'walkout_journal_epochs_total'), 1);
      assert.ok((metricValue(metrics, 'walkout_journal_pruned_rows_total') ?? 0) > pruned.rows, 'rows pruned');
    } finally {
      await first.server.stop();
    }

    const second = await startServerIn(dir, { journal: { epochMinutes: 5 } });
    try {
      const http = second.info.httpUrl;
      const { recovery } = second.info;
      assert.ok(recovery.calls < before.lastSeq / 2, JSON.stringify(recovery));
      assert.equal(recovery.appended, 0);
      assert.equal(await receipts(http), 2);
      const log = await get<{ events: unknown[] }>(http, '/api/events?limit=10000');
      assert.equal(recovery.matched, log.events.length);
      const snapshot = await get<{ stock: Record<string, Record<string, number>> }>(http, '/api/snapshot');
      assert.deepEqual(snapshot.stock.p2, { water: 8 }, 'two of ten taken, one on each side of the epoch');
    } finally {
      await second.server.stop();
    }
  });
});
