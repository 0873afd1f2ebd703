/**
 * A staff count on a running store: the dashboard's count goes to the engine as the console handheld's message, so
 * the engine's stock, the dashboard and the event log all show it, and a restart recovers it from the journal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { T0, visitMessages, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, startServerIn } from './server-harness.ts';

type Snapshot = { stock: Record<string, Record<string, number>> };
type Fixtures = { fixtures: { plates: { plateId: string; stock: { sku: string; units: number }[] }[] }[] };

const get = async <T>(http: string, path: string): Promise<T> =>
  (await (await fetch(`${http}${path}`, asStaff)).json()) as T;
const count = (http: string, plateId: string, body: unknown) =>
  fetch(`${http}/api/staff/ops/stock/${plateId}/count`, {
    method: 'POST',
    headers: { ...asStaff.headers, 'content-type': 'application/json', cookie: 'walkout_staff_name=Ada' },
    body: JSON.stringify(body),
  });
const waterOnBoard = async (http: string) => {
  const { fixtures } = await get<Fixtures>(http, '/api/staff/ops/stock');
  const p2 = fixtures.flatMap((f) => f.plates).find((p) => p.plateId === 'p2');
  return p2?.stock.find((s) => s.sku === 'water')?.units;
};

describe('a staff count on a running store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-count-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reaches the engine, the dashboard and the log, and survives a restart', async () => {
    const first = await startServerIn(dir);
    try {
      const http = first.info.httpUrl;
      const res = await count(http, 'p2', { counts: { water: 6 } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { plate: { stock: { sku: string; units: number }[] } };
      assert.deepEqual(body.plate.stock, [{ sku: 'water', units: 6, sd: 0, capacity: 10, misplaced: false }]);
      assert.deepEqual((await get<Snapshot>(http, '/api/snapshot')).stock.p2, { water: 6 });
      const log = await get<{ events: { data: unknown }[] }>(http, '/api/events?types=stock.counted');
      assert.deepEqual(
        log.events.map((e) => e.data),
        [{ plateId: 'p2', counts: { water: 6 }, staff: 'Ada', handheldId: 'console' }],
      );
      const refused = [
        [await count(http, 'nope', { counts: { water: 1 } }), 404, 'NO_SUCH_PLATE'],
        [await count(http, 'p2', { counts: { water: -1 } }), 400, 'BAD_COUNT'],
        [await count(http, 'p2', { counts: { whisky: 1 } }), 400, 'IMPOSSIBLE_VALUE'],
      ] as const;
      for (const [r, status, code] of refused) {
        assert.equal(r.status, status);
        assert.equal(((await r.json()) as { code: string }).code, code);
      }
    } finally {
      await first.server.stop();
    }
    const second = await startServerIn(dir);
    try {
      const http = second.info.httpUrl;
      assert.deepEqual(
        (await get<Snapshot>(http, '/api/snapshot')).stock.p2,
        { water: 6 },
        'replayed from the journal',
      );
      assert.equal(await waterOnBoard(http), 6, 'the dashboard starts from the recovered stock');
    } finally {
      await second.server.stop();
    }
  });

  it('is refused while the plate settles a change, which would be counted twice, and taken once it is still', async () => {
    const server = await startServerIn(mkdtempSync(join(tmpdir(), 'walkout-count-busy-')));
    try {
      const http = server.info.httpUrl;
      const device = await deviceClient(server.info.mqttUrl);
      const visit = visitMessages({ start: T0, code: 'demo:ann:1' });
      const ts = (m: (typeof visit)[number]) => (m.payload as { ts: number }).ts;
      const publish = async (ms: typeof visit) => {
        for (const m of ms) await device.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
      };
      // A bottle of water leaves p2 at T0 + 20 s; the count comes while the plate still settles.
      await publish(visit.filter((m) => ts(m) <= T0 + 20_800));
      const busy = await count(http, 'p2', { counts: { water: 9 } });
      assert.equal(busy.status, 409);
      assert.equal(((await busy.json()) as { code: string }).code, 'PLATE_BUSY');
      await publish(visit.filter((m) => ts(m) > T0 + 20_800));
      await device.endAsync();
      const stock = async () => (await get<Snapshot>(http, '/api/snapshot')).stock.p2;
      // Taken then, the count (9) would have had the pick come off it again: 8.
      assert.deepEqual(await waitFor(async () => (await stock())?.water === 9 && stock()), { water: 9 });
      const still = await count(http, 'p2', { counts: { water: 7 } });
      assert.equal(still.status, 200);
      assert.deepEqual(await stock(), { water: 7 });
    } finally {
      await server.server.stop();
    }
  });
});
