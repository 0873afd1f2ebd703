/**
 * The write-ahead journal in front of the engine, and recovery by replay: nothing reaches the engine before its
 * journal batch is durable, acks wait for it, a failed batch is neither applied nor acked, staff decisions are
 * journalled with their event time, quiet devices get one tick, and replaying the journal into a fresh engine
 * lines up with the event log by position: matched, re-appended where the log fell behind, refused where it differs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, testStore, visitMessages } from '../../test/server-fixtures.ts';
import { createEngine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineSeed, IngestOutcome } from '../engine/types.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import type { ReviewCase } from '../review/types.ts';
import { MemoryEventLog } from '../storage/event-log.ts';
import { type JournalCall, type JournalEntry, MemoryInputJournal } from '../storage/input-journal.ts';
import { decodePayload, EngineJournal } from './journal.ts';
import { recoverFromJournal } from './recovery.ts';

type Call = { kind: string; args: unknown[] };

function fakeEngine(reviews: string[] = [], seed: EngineSeed | null = null): Engine & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    quiet: () => seed,
    rebase: (s) => calls.push({ kind: 'epoch', args: [s] }),
    ingest(topic, payload): IngestOutcome {
      calls.push({ kind: 'ingest', args: [topic, payload] });
      return { ok: true };
    },
    resolveReview(caseId, choice, reviewer, t) {
      calls.push({ kind: 'resolve', args: [caseId, choice, reviewer, t] });
      return { ok: true };
    },
    tick: (t) => calls.push({ kind: 'tick', args: [t] }),
    finish: () => {},
    now: () => 5_000,
    stats: () => ({ accepted: 0, rejected: {}, shelfEvents: 0, reviewsOpen: reviews.length }),
    snapshot: () => ({
      t: 5_000,
      tracks: [],
      stock: {},
      sessions: [],
      carts: {},
      reviews: reviews.map((caseId) => ({ caseId }) as ReviewCase),
      silentPlates: [],
      offlineCameras: [],
      found: [],
    }),
  };
}

/** A journal whose appends wait until `release()` is called. */
class GatedJournal extends MemoryInputJournal {
  private gates: (() => void)[] = [];
  fail: Error | null = null;
  override async append(calls: readonly JournalCall[]): Promise<number> {
    await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.fail) throw this.fail;
    return super.append(calls);
  }
  async release(): Promise<void> {
    while (this.gates.length === 0) await new Promise((r) => setImmediate(r));
    for (const open of this.gates.splice(0)) open();
  }
}

const payload = (ts: number) => Buffer.from(JSON.stringify({ v: 1, ts, hz: 1, grams: [1] }));

describe('decodePayload', () => {
  it('gives the engine what it would make of the bytes itself: a JSON string wrapping a message is no message', () => {
    const engine = createEngine({ store: testStore(), authorizer: createDemoAuthorizer(), sink: () => {} });
    const [good] = visitMessages({ start: T0, code: 'demo:ann:1' });
    const wrapped = Buffer.from(JSON.stringify(JSON.stringify(good!.payload)));
    assert.equal(decodePayload(wrapped), wrapped, 'left as bytes');
    const outcome = (payload: unknown) => engine.ingest(good!.topic, payload);
    assert.deepEqual([outcome(decodePayload(wrapped)).ok, outcome(wrapped).ok], [false, false]);
    assert.deepEqual(decodePayload(Buffer.from(JSON.stringify(good!.payload))), good!.payload);
  });
});

describe('EngineJournal', () => {
  it('applies and acknowledges a batch only once it is journalled, in order', async () => {
    const engine = fakeEngine();
    const journal = new GatedJournal();
    const journalled = new EngineJournal(engine, journal);
    const acks: string[] = [];
    journalled.message('walkout/s/plates/p1/weight', payload(1), () => acks.push('a'));
    journalled.message('walkout/s/plates/p1/weight', Buffer.from('not json'), () => acks.push('b'));
    await new Promise((r) => setImmediate(r));
    assert.equal(engine.calls.length, 0, 'applied before the journal write finished');
    assert.deepEqual(acks, []);
    await journal.release();
    await journalled.flush();
    assert.deepEqual(acks, ['a', 'b']);
    assert.deepEqual(
      engine.calls.map((c) => c.args[1] instanceof Uint8Array),
      [false, true],
      'JSON is parsed, garbage passed on as bytes',
    );
    assert.deepEqual(
      (await journal.read()).map((e) => e.seq),
      [1, 2],
    );
  });

  it('settles the calls submitted so far without waiting for later ones', async () => {
    const engine = fakeEngine();
    const journal = new GatedJournal();
    const journalled = new EngineJournal(engine, journal);
    journalled.message('walkout/s/plates/p1/weight', payload(1));
    const first = journalled.settled();
    await new Promise((r) => setImmediate(r)); // the first batch is being written
    journalled.message('walkout/s/plates/p1/weight', payload(2));
    await journal.release();
    await first;
    assert.equal(engine.calls.length, 1, 'settled while the second batch still waits for its write');
    await journal.release();
    await journalled.flush();
    assert.equal(engine.calls.length, 2);
  });

  it('neither applies nor acknowledges a batch the journal refused', async () => {
    const engine = fakeEngine();
    const journal = new GatedJournal();
    journal.fail = new Error('disk full');
    const errors: number[] = [];
    const journalled = new EngineJournal(engine, journal, { onJournalError: (_e, n) => errors.push(n) });
    const acks: (Error | undefined)[] = [];
    journalled.message('walkout/s/plates/p1/weight', payload(1), (error) => acks.push(error));
    await journal.release();
    await journalled.flush();
    assert.equal(engine.calls.length, 0);
    assert.equal(acks[0]?.message, 'disk full');
    assert.deepEqual(errors, [1]);
  });

  it('keeps applying and acknowledging when a hook throws, and reports it', async () => {
    const engine = fakeEngine();
    const journal = new GatedJournal();
    const failed: string[] = [];
    const journalled = new EngineJournal(engine, journal, {
      onApplied: () => {
        throw new Error('metrics broke');
      },
      onHookError: (error, call) => failed.push(`${call.kind}: ${error.message}`),
    });
    const acks: (Error | undefined)[] = [];
    journalled.message('walkout/s/plates/p1/weight', payload(1), (error) => acks.push(error));
    await journal.release();
    await journalled.flush();
    journalled.message('walkout/s/plates/p1/weight', payload(2), (error) => acks.push(error));
    await journal.release();
    await journalled.flush();
    assert.equal(engine.calls.length, 2, 'the second message was applied');
    assert.deepEqual(acks, [undefined, undefined]);
    assert.deepEqual(failed, ['ingest: metrics broke', 'ingest: metrics broke']);
  });

  it('journals a staff decision with its event time and refuses a second one on the same case', async () => {
    const engine = fakeEngine(['case-1']);
    const journal = new MemoryInputJournal();
    const writeAhead = new EngineJournal(engine, journal);
    const journalled = writeAhead.facade();
    const choice = { sessionId: 'g@1', items: [{ sku: 'cola', qty: 1 }], probability: 0.6 };
    assert.deepEqual(journalled.resolveReview('case-1', choice, 'ann'), { ok: true });
    assert.equal(journalled.resolveReview('case-1', choice, 'bob').ok, false);
    assert.equal(journalled.resolveReview('case-9', choice, 'ann').ok, false);
    assert.equal(engine.calls.length, 0, 'the decision waits for its journal row');
    await writeAhead.flush();
    assert.deepEqual(engine.calls, [{ kind: 'resolve', args: ['case-1', choice, 'ann', 5_000] }]);
    const [entry] = await journal.read();
    assert.deepEqual(entry, { seq: 1, kind: 'resolve', t: 5_000, caseId: 'case-1', choice, reviewer: 'ann' });
  });

  it('ticks once after devices go quiet, at the newest device time plus the quiet wall time', async () => {
    let wall = 0;
    const engine = fakeEngine();
    const journal = new MemoryInputJournal();
    const journalled = new EngineJournal(engine, journal, {}, { wallNow: () => wall, tickQuietMs: 300 });
    journalled.maybeTick();
    journalled.message('walkout/s/plates/p1/weight', payload(1_000_000));
    // A handheld stamped an hour ahead (a person's clock) does not move the tick.
    const find = { v: 1, ts: 4_600_000, sku: 'cola', at: [1, 1] };
    journalled.message('walkout/s/handhelds/h1/found', Buffer.from(JSON.stringify(find)));
    await journalled.flush();
    wall = 200;
    journalled.maybeTick();
    wall = 450;
    journalled.maybeTick();
    journalled.maybeTick();
    await journalled.flush();
    assert.deepEqual(
      engine.calls.filter((c) => c.kind === 'tick'),
      [{ kind: 'tick', args: [1_000_450] }],
    );
    assert.deepEqual(
      (await journal.read()).map((e) => e.kind),
      ['ingest', 'ingest', 'tick'],
    );
  });
});

describe('journal epochs', () => {
  const seed: EngineSeed = {
    stock: { p2: { water: 9 } },
    decisions: 12,
    now: 1_000_000,
    reorder: { newest: 1_000_100, released: 999_900, held: [], recent: {} },
    nextTrack: 1,
  };
  it('journals an epoch only while idle, once the period passed and the engine is quiet', async () => {
    let t = 1_000_000;
    for (const quiet of [null, seed]) {
      const engine = { ...fakeEngine([], quiet), now: () => t };
      const journal = new MemoryInputJournal();
      const epochs: [number, EngineSeed][] = [];
      const journalled = new EngineJournal(
        engine,
        journal,
        { onEpoch: (...e) => epochs.push(e) },
        { epochEveryMs: 60_000 },
      );
      journalled.maybeEpoch(); // the period starts at the first event time
      t += 59_000;
      journalled.maybeEpoch();
      t += 1_000;
      journalled.message('walkout/s/plates/p1/weight', payload(t));
      journalled.maybeEpoch(); // a call is waiting: the seed would not be the state its row finds
      await journalled.flush();
      journalled.maybeEpoch();
      journalled.maybeEpoch();
      journalled.message('walkout/s/plates/p1/weight', payload(t + 100)); // joins the epoch's batch, after it
      await journalled.flush();
      const rows = await journal.read();
      if (!quiet) {
        assert.deepEqual(
          rows.map((r) => r.kind),
          ['ingest', 'ingest'],
        );
        continue;
      }
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['ingest', 'epoch', 'ingest'],
      );
      assert.deepEqual(rows[1], { seq: 2, kind: 'epoch', t, seed });
      assert.deepEqual(epochs, [[2, seed]], 'the epoch row own seq, not its batch last');
      assert.deepEqual(
        engine.calls.slice(-2).map((c) => c.kind),
        ['epoch', 'ingest'],
      );
    }
  });
});

/** Runs the micro store's visit through a journalled real engine; returns the journal and the decisions logged. */
async function liveRun(): Promise<{ journal: MemoryInputJournal; log: MemoryEventLog; events: EngineEvent[] }> {
  const journal = new MemoryInputJournal();
  const log = new MemoryEventLog();
  const events: EngineEvent[] = [];
  const engine = createEngine({
    store: testStore(),
    authorizer: createDemoAuthorizer(),
    sink: (e) => {
      events.push(e);
      void log.append(e);
    },
  });
  const journalled = new EngineJournal(engine, journal);
  for (const m of visitMessages()) journalled.message(m.topic, Buffer.from(JSON.stringify(m.payload)));
  journalled.message('walkout/micro-01/plates/p1/weight', Buffer.from('{"truncated'));
  await journalled.flush();
  return { journal, log, events };
}

async function recover(journal: MemoryInputJournal, log: MemoryEventLog) {
  const buffer: EngineEvent[] = [];
  const engine = createEngine({ store: testStore(), authorizer: createDemoAuthorizer(), sink: (e) => buffer.push(e) });
  const report = await recoverFromJournal({ journal, log, engine, take: () => buffer.splice(0), pageSize: 17 });
  return { report, engine };
}

async function logOf(events: EngineEvent[]): Promise<MemoryEventLog> {
  const log = new MemoryEventLog();
  for (const e of events) await log.append(e);
  return log;
}

/**
 * Two visits 20 min apart, a journal epoch between them (the store quiet for 15 min); returns the journal, the
 * decisions logged, and the epoch's row.
 */
async function epochRun() {
  const journal = new MemoryInputJournal();
  const log = new MemoryEventLog();
  const events: EngineEvent[] = [];
  const sink = (e: EngineEvent) => {
    events.push(e);
    void log.append(e);
  };
  const engine = createEngine({ store: testStore(), authorizer: createDemoAuthorizer(), sink });
  const epochs: number[] = [];
  const journalled = new EngineJournal(
    engine,
    journal,
    { onEpoch: (seq) => epochs.push(seq) },
    { epochEveryMs: 60_000 },
  );
  const send = (messages: ReturnType<typeof visitMessages>) => {
    for (const m of messages) journalled.message(m.topic, Buffer.from(JSON.stringify(m.payload)));
    return journalled.flush();
  };
  // The plates' heartbeats keep the store's clock going while nobody is inside.
  const heartbeats = (fromMin: number, toMin: number) =>
    Array.from({ length: toMin - fromMin + 1 }, (_, i) => ({
      topic: 'walkout/micro-01/plates/p1/weight',
      payload: { v: 1, ts: T0 + (fromMin + i) * 60_000, hz: 1, grams: [3550] },
    }));
  await send(visitMessages());
  journalled.maybeEpoch();
  await send(heartbeats(2, 10));
  journalled.maybeEpoch(); // 9 min after the shopper left: a find could still be theirs
  await send(heartbeats(11, 17));
  journalled.maybeEpoch();
  await journalled.flush();
  await send(heartbeats(18, 19));
  await send(visitMessages({ start: T0 + 20 * 60_000, code: 'demo:bob:1' }));
  const epoch = (await journal.read()).find((e) => e.kind === 'epoch');
  assert.equal(epochs.length, 1);
  assert.equal(epoch?.seq, epochs[0]);
  return { journal, log, events, epoch: epoch as Extract<JournalEntry, { kind: 'epoch' }> };
}

describe('recovery by replay', () => {
  it('replays through an epoch, and from it once the rows before it are pruned', async () => {
    const { journal, log, events, epoch } = await epochRun();
    assert.deepEqual(epoch.seed.stock.p2, { water: 9 }, 'the first visit took one of ten');
    assert.equal(epoch.seed.reorder.held.length, 1, 'the last heartbeat, still held, goes into the seed');
    assert.equal(events.filter((e) => e.type === 'receipt.final').length, 2);
    const through = await recover(journal, log);
    assert.deepEqual([through.report.matched, through.report.appended], [events.length, 0]);
    await journal.prune(epoch.seq);
    const { report, engine } = await recover(journal, log);
    assert.deepEqual([report.matched, report.appended], [events.length, 0]);
    assert.ok(report.calls < through.report.calls);
    assert.deepEqual(engine.snapshot().stock.p2, { water: 8 }, 'the stock carried over the epoch');
    // A crash that kept the second visit's decisions out of the log: replay from the epoch re-makes them.
    const { report: again } = await recover(journal, await logOf(events.slice(0, epoch.seed.decisions)));
    const before = epoch.seed.decisions;
    assert.deepEqual([again.matched, again.appended], [before, events.length - before]);
  });

  it('rebuilds the engine and matches every logged decision without appending', async () => {
    const { journal, log, events } = await liveRun();
    assert.ok(events.some((e) => e.type === 'receipt.final'));
    const { report, engine } = await recover(journal, log);
    assert.equal(report.calls, visitMessages().length + 1);
    assert.deepEqual([report.matched, report.appended], [events.length, 0]);
    assert.equal(await log.lastSeq(), events.length);
    assert.deepEqual(engine.snapshot().stock.p2, { water: 9 });
  });

  it('appends the decisions a crash kept out of the log, identical to the lost ones', async () => {
    const { journal, events } = await liveRun();
    const keep = Math.floor(events.length / 2);
    const log = await logOf(events.slice(0, keep));
    const { report } = await recover(journal, log);
    assert.deepEqual([report.matched, report.appended], [keep, events.length - keep]);
    const read = await log.read();
    assert.deepEqual(
      read.map(({ seq: _, ...e }) => e),
      events,
    );
  });

  it('refuses to start when the log and the journal disagree', async () => {
    const { journal, events } = await liveRun();
    const tampered = events.map((e, i) => (i === 3 ? { ...e, t: e.t + 1 } : e));
    await assert.rejects(recover(journal, await logOf(tampered)), { code: 'RECOVERY_DIVERGED' });
    const longer = [...events, events[0]!];
    await assert.rejects(recover(journal, await logOf(longer)), /re-made only/);
  });
});
