/**
 * The contract every InputJournal back end must keep, as a node:test suite: numbering from 1 without gaps across
 * batches, exact round trips of every call kind (payload bytes that are not UTF-8 included), paged reads, size
 * accounting, retention by prune with numbering that continues, and (durable back ends) the same journal after
 * closing and reopening. Run it with `inputJournalContract(name, harness)`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InputJournal, JournalCall } from './input-journal.ts';

export interface InputJournalHarness {
  open(): Promise<InputJournal>;
  /** Opens the journal that `open()` last created again, after it was closed; absent for non-durable back ends. */
  reopen?: () => Promise<InputJournal>;
  /**
   * Makes the store under the journal `open()` last created refuse writes (as a lost connection or a full disk
   * would) until the returned function lifts it; absent where nothing can fail.
   */
  refuseWrites?: () => Promise<() => Promise<void>>;
}

const T0 = 1_750_000_000_000;

const ingest = (i: number): JournalCall => ({
  kind: 'ingest',
  topic: `walkout/s/plates/p${i}/weight`,
  payload: Buffer.from(JSON.stringify({ v: 1, ts: T0 + i, hz: 60, grams: [i, i + 0.5] })),
});
const TICK: JournalCall = { kind: 'tick', t: T0 + 5_000 };
const RESOLVE: JournalCall = {
  kind: 'resolve',
  t: T0 + 7_000,
  caseId: 'case-1',
  reviewer: 'zoë',
  choice: { sessionId: null, items: [{ sku: 'cola', qty: 2 }], probability: 0.25 },
};
const EPOCH: JournalCall = {
  kind: 'epoch',
  t: T0 + 9_000,
  seed: {
    stock: { p1: { cola: 4, 'misplaced-chips': 1 } },
    decisions: 1_234,
    now: T0 + 8_900,
    reorder: {
      newest: T0 + 9_000,
      released: T0 + 8_700,
      held: [{ kind: 'plate.weight', plateId: 'p1', v: 1, ts: T0 + 8_800, hz: 60, grams: [1.5, 2] }],
      recent: { 'plate.weight': { p1: [[T0 + 8_700, 0]] }, 'gate.scan': { door: [[T0 + 8_700, 'demo:ann:1']] } },
    },
    nextTrack: 42,
  },
};
/** Bytes that are not valid UTF-8 or JSON: a device sending garbage must be replayed byte for byte. */
const GARBAGE: JournalCall = {
  kind: 'ingest',
  topic: 'walkout/s/gates/g1/scan',
  payload: Uint8Array.from([0, 255, 254, 10, 123]),
};

function plain(calls: readonly JournalCall[]): unknown[] {
  return calls.map((c) => (c.kind === 'ingest' ? { ...c, payload: [...c.payload] } : c));
}

async function withJournal(harness: InputJournalHarness, body: (j: InputJournal) => Promise<void>): Promise<void> {
  const journal = await harness.open();
  try {
    await body(journal);
  } finally {
    await journal.close();
  }
}

export function inputJournalContract(name: string, harness: InputJournalHarness): void {
  describe(`InputJournal contract: ${name}`, () => {
    it('starts empty', () =>
      withJournal(harness, async (j) => {
        assert.deepEqual(await j.read(), []);
        assert.deepEqual(j.stats(), { rows: 0, bytes: 0, lastSeq: 0 });
      }));

    it('round-trips every kind of call exactly, numbered across batches', () =>
      withJournal(harness, async (j) => {
        assert.equal(await j.append([ingest(1), TICK]), 2);
        assert.equal(await j.append([RESOLVE, GARBAGE, EPOCH]), 5);
        assert.equal(await j.append([]), 5);
        const read = await j.read();
        assert.deepEqual(
          read.map((e) => e.seq),
          [1, 2, 3, 4, 5],
        );
        assert.deepEqual(
          plain(read.map(({ seq: _, ...call }) => call as JournalCall)),
          plain([ingest(1), TICK, RESOLVE, GARBAGE, EPOCH]),
        );
      }));

    it('reads in pages after a seq', () =>
      withJournal(harness, async (j) => {
        await j.append(Array.from({ length: 10 }, (_, i) => ingest(i)));
        assert.deepEqual(
          (await j.read({ after: 3, limit: 4 })).map((e) => e.seq),
          [4, 5, 6, 7],
        );
        assert.deepEqual(
          (await j.read({ after: 8 })).map((e) => e.seq),
          [9, 10],
        );
        assert.deepEqual(await j.read({ after: 10 }), []);
      }));

    it('counts rows and bytes, and keeps numbering after a prune', () =>
      withJournal(harness, async (j) => {
        const calls = [ingest(1), ingest(2), TICK, ingest(3)];
        await j.append(calls);
        const bytes = (c: JournalCall) => (c.kind === 'ingest' ? c.payload.byteLength + c.topic.length : 0);
        assert.deepEqual(j.stats(), { rows: 4, bytes: calls.reduce((s, c) => s + bytes(c), 0), lastSeq: 4 });
        assert.equal(await j.prune(3), 2);
        assert.deepEqual(
          (await j.read()).map((e) => e.seq),
          [3, 4],
        );
        assert.deepEqual(j.stats(), { rows: 2, bytes: bytes(ingest(3)), lastSeq: 4 });
        assert.equal(await j.prune(99), 2);
        assert.equal(await j.append([TICK]), 5);
      }));

    if (harness.refuseWrites) {
      const refuseWrites = harness.refuseWrites;
      it('writes nothing of a batch that failed, and goes on numbering from what was written', () =>
        withJournal(harness, async (j) => {
          assert.equal(await j.append([ingest(1)]), 1);
          const lift = await refuseWrites();
          await assert.rejects(j.append([ingest(2), TICK]));
          await lift();
          assert.equal(await j.append([RESOLVE]), 2);
          assert.deepEqual(
            plain((await j.read()).map(({ seq: _, ...c }) => c as JournalCall)),
            plain([ingest(1), RESOLVE]),
          );
          assert.equal(j.stats().lastSeq, 2);
        }));
    }

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps the journal across close and reopen, numbering included after a prune', async () => {
        const first = await harness.open();
        await first.append([ingest(1), RESOLVE, GARBAGE]);
        await first.prune(2);
        await first.close();
        const again = await reopen();
        try {
          assert.equal(again.stats().lastSeq, 3);
          assert.equal(again.stats().rows, 2);
          assert.deepEqual(
            plain((await again.read()).map(({ seq: _, ...c }) => c as JournalCall)),
            plain([RESOLVE, GARBAGE]),
          );
          assert.equal(await again.append([TICK]), 4);
        } finally {
          await again.close();
        }
      });
    }
  });
}
