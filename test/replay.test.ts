/**
 * `walkout replay` on real parts: a recorded visit (with a malformed line and an unknown device) replayed through the
 * real engine into SQLite gives the same event log twice, the receipts file lists every visit with its status, and
 * --realtime keeps the recorded pace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { replayRecording } from '../src/server/replay.ts';
import { registerReplayCommand } from '../src/server/replay-command.ts';
import { MemoryEventLog } from '../src/storage/event-log.ts';
import { SqliteEventLog } from '../src/storage/sqlite-event-log.ts';
import { STORE_ID, storeYaml, T0, testStore, visitMessages } from './server-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'walkout-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Alice's visit, plus Bob who scans but never walks in, plus a garbage line and an unknown plate. */
function writeRecording(file: string): number {
  const lines = visitMessages().map((m) => JSON.stringify(m));
  const bob = { topic: `walkout/${STORE_ID}/gates/door/scan`, payload: { v: 1, ts: T0 + 30_000, code: 'demo:bob:1' } };
  const unknown = { topic: `walkout/${STORE_ID}/plates/p9/weight`, payload: { v: 1, ts: T0 + 1, hz: 1, grams: [1] } };
  const at = lines.findIndex((l) => (JSON.parse(l) as { payload: { ts: number } }).payload.ts > T0 + 30_000);
  lines.splice(at, 0, JSON.stringify(bob));
  lines.splice(3, 0, '{not json', JSON.stringify(unknown));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}

describe('walkout replay', () => {
  const recording = join(dir, 'visit.ndjson');
  const lineCount = writeRecording(recording);

  it('replays a recording to the same event log twice', async () => {
    const logs = [new SqliteEventLog(join(dir, 'a.sqlite')), new SqliteEventLog(join(dir, 'b.sqlite'))];
    const summaries = [];
    for (const log of logs) summaries.push(await replayRecording({ recording, store: testStore(), log }));
    const [a, b] = await Promise.all(logs.map((log) => log.read()));
    await Promise.all(logs.map((log) => log.close()));
    assert.ok(a && a.length > 5);
    assert.deepEqual(a, b);
    const s = summaries[0]!;
    assert.equal(s.messages, lineCount);
    assert.deepEqual(s.rejected, { BAD_TOPIC: 1, UNKNOWN_DEVICE: 1 });
    assert.equal(s.accepted, lineCount - 2);
    assert.equal(s.shelfEvents, 1);
    assert.equal(s.visits, 2);
    assert.equal(s.eventsLogged, a?.length);
    assert.ok(s.realTimeFactor !== null && s.realTimeFactor > 1, `real-time factor ${s.realTimeFactor}`);
  });

  it('writes every visit’s receipt with its status from the command line', async () => {
    const storeFile = join(dir, 'store.yaml');
    writeFileSync(storeFile, storeYaml());
    const receiptsFile = join(dir, 'receipts.json');
    const program = new Command().exitOverride();
    registerReplayCommand(program);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => printed.push(args.join(' '));
    try {
      await program.parseAsync(['replay', recording, '--store', storeFile, '--receipts', receiptsFile], {
        from: 'user',
      });
    } finally {
      console.log = log;
    }
    const receipts = JSON.parse(readFileSync(receiptsFile, 'utf8'));
    assert.deepEqual(receipts, [
      {
        visit: `door@${T0 + 5_000}`,
        account: 'alice',
        lines: [{ sku: 'water', name: 'Water 500 ml', qty: 1, unitPrice: 100 }],
        total: 100,
        status: 'final',
      },
      { visit: `door@${T0 + 30_000}`, account: 'bob', lines: [], total: 0, status: 'no-entry' },
    ]);
    const text = printed.join('\n');
    assert.match(text, /rejected 2: BAD_TOPIC 1, UNKNOWN_DEVICE 1/);
    assert.match(text, /shelf events {2}1/);
    assert.match(text, /real time/);
  });

  it('keeps the recorded pace with --realtime', async () => {
    const file = join(dir, 'short.ndjson');
    const msgs = [0, 200, 400].map((dt) => ({
      topic: `walkout/${STORE_ID}/plates/p1/weight`,
      payload: { v: 1, ts: T0 + dt, hz: 1, grams: [3550] },
    }));
    writeFileSync(file, `${msgs.map((m) => JSON.stringify(m)).join('\n')}\n`);
    const fast = await replayRecording({ recording: file, store: testStore(), log: new MemoryEventLog() });
    const paced = await replayRecording({
      recording: file,
      store: testStore(),
      log: new MemoryEventLog(),
      realtime: true,
    });
    assert.equal(paced.storeSeconds, 0.4);
    assert.ok(paced.wallSeconds >= 0.38, `paced replay took ${paced.wallSeconds} s`);
    assert.ok(fast.wallSeconds < 0.3, `fast replay took ${fast.wallSeconds} s`);
  });
});
