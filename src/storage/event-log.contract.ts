/**
 * The contract every EventLog back end must keep, as a node:test suite: gap-free sequence numbers from 1, reads
 * after a sequence in order, type filters and limits, exact round trips of event data, ordered concurrent appends,
 * and (for durable back ends) the same log after closing and reopening. Run it with `eventLogContract(name, harness)`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import type { EventLog } from './event-log.ts';

export interface EventLogHarness {
  /** Opens a fresh, empty log. */
  open(): Promise<EventLog>;
  /** Opens the log that `open()` last created again, after it was closed; absent for non-durable back ends. */
  reopen?: () => Promise<EventLog>;
}

const T0 = 1_750_000_000_000;

function rejected(i: number): EngineEvent {
  return {
    type: 'message.rejected',
    t: T0 + i,
    data: { topic: `walkout/s/plates/p${i}/weight`, code: 'BAD_JSON', reason: `r${i}` },
  };
}

function command(i: number): EngineEvent {
  return {
    type: 'gate.command',
    t: T0 + i,
    data: { gateId: 'g1', action: 'open', admit: 2, reason: 'OK', sessionId: `g1@${i}` },
  };
}

/** An event whose data exercises nesting, unicode, negative and fractional numbers, nulls and empty arrays. */
const RICH: EngineEvent = {
  type: 'receipt.final',
  t: T0 + 99,
  data: {
    visit: 'g1@1',
    account: 'zoë-ñ-😀',
    lines: [
      { sku: 'MILK', name: 'Milk 1 L "semi"', qty: 2, unitPrice: 129 },
      { sku: 'BREAD', name: 'Brot\nmit Zeile', qty: -1, unitPrice: 0 },
    ],
    total: 129.5,
    currency: 'EUR',
    status: 'final',
    entered: T0,
    exited: null,
    finalAt: T0 + 99,
  },
};

async function withLog(harness: EventLogHarness, body: (log: EventLog) => Promise<void>): Promise<void> {
  const log = await harness.open();
  try {
    await body(log);
  } finally {
    await log.close();
  }
}

export function eventLogContract(name: string, harness: EventLogHarness): void {
  describe(`EventLog contract: ${name}`, () => {
    it('starts empty', () =>
      withLog(harness, async (log) => {
        assert.equal(await log.lastSeq(), 0);
        assert.deepEqual(await log.read(), []);
      }));

    it('numbers appends 1, 2, 3 … and lastSeq follows', () =>
      withLog(harness, async (log) => {
        const seqs: number[] = [];
        for (let i = 0; i < 5; i++) seqs.push(await log.append(rejected(i)));
        assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
        assert.equal(await log.lastSeq(), 5);
      }));

    it('reads back exactly what was appended, oldest first, with seq', () =>
      withLog(harness, async (log) => {
        await log.append(rejected(1));
        await log.append(RICH);
        await log.append(command(3));
        const all = await log.read();
        assert.deepEqual(all, [
          { ...rejected(1), seq: 1 },
          { ...RICH, seq: 2 },
          { ...command(3), seq: 3 },
        ]);
        assert.equal(typeof all[0]?.t, 'number');
        assert.equal(typeof all[0]?.seq, 'number');
      }));

    it('reads only after a seq, filters by type and limits after filtering', () =>
      withLog(harness, async (log) => {
        for (let i = 1; i <= 10; i++) await log.append(i % 2 === 0 ? command(i) : rejected(i));
        assert.deepEqual(
          (await log.read({ after: 7 })).map((e) => e.seq),
          [8, 9, 10],
        );
        assert.deepEqual(
          (await log.read({ types: ['gate.command'] })).map((e) => e.seq),
          [2, 4, 6, 8, 10],
        );
        assert.deepEqual(
          (await log.read({ after: 3, types: ['gate.command'], limit: 2 })).map((e) => e.seq),
          [4, 6],
        );
        assert.deepEqual(
          (await log.read({ after: 2, limit: 3 })).map((e) => e.seq),
          [3, 4, 5],
        );
        assert.deepEqual(await log.read({ after: 10 }), []);
        assert.deepEqual(await log.read({ types: ['receipt.final'] }), []);
      }));

    it('keeps concurrent appends gap-free and in call order', () =>
      withLog(harness, async (log) => {
        const events = Array.from({ length: 40 }, (_, i) => rejected(i));
        const seqs = await Promise.all(events.map((e) => log.append(e)));
        assert.deepEqual(
          seqs,
          events.map((_, i) => i + 1),
        );
        const read = await log.read();
        assert.deepEqual(
          read.map((e) => e.t),
          events.map((e) => e.t),
        );
      }));

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps the log across close and reopen, and continues the numbering', async () => {
        const first = await harness.open();
        await first.append(rejected(1));
        await first.append(RICH);
        await first.close();
        const again = await reopen();
        try {
          assert.equal(await again.lastSeq(), 2);
          assert.deepEqual(await again.read({ after: 1 }), [{ ...RICH, seq: 2 }]);
          assert.equal(await again.append(command(3)), 3);
        } finally {
          await again.close();
        }
      });
    }
  });
}
