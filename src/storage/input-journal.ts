/**
 * The input journal: every call made into the engine (a device message as the bytes that arrived, a clock tick, a
 * staff review decision), in the order the engine took them. The engine is deterministic, so replaying the journal
 * into a fresh engine rebuilds its state exactly; that is how a store box recovers from a crash. One interface, back
 * ends for memory, SQLite and PostgreSQL, one contract suite (input-journal.contract.ts).
 */
import type { EngineSeed } from '../engine/types.ts';
import type { ReviewAlternative } from '../review/types.ts';

export type JournalCall =
  /** A device message: the topic and the payload bytes exactly as received (decoded again on replay). */
  | { kind: 'ingest'; topic: string; payload: Uint8Array }
  /** The edge clock reached event time `t` (Engine.tick). */
  | { kind: 'tick'; t: number }
  /** A staff decision on a review case, applied at event time `t` (Engine.resolveReview). */
  | { kind: 'resolve'; t: number; caseId: string; choice: ReviewAlternative; reviewer: string }
  /**
   * A journal epoch: the engine, quiet at event time `t`, started over from this seed (Engine.rebase). Replay can
   * start here, so the rows before it can be pruned once the event log holds the seed's decisions.
   */
  | { kind: 'epoch'; t: number; seed: EngineSeed };

/** A journalled call with its position (1, 2, 3 …; numbering continues after a prune). */
export type JournalEntry = JournalCall & { seq: number };

export interface JournalStats {
  /** Rows kept now. */
  rows: number;
  /** Payload and topic bytes kept now (the bulk of the table; row overhead not counted). */
  bytes: number;
  /** Highest seq written, 0 when never written. */
  lastSeq: number;
}

export interface InputJournal {
  /** Appends calls in order as one transaction; resolves once they are durable, with the last seq assigned. */
  append(calls: readonly JournalCall[]): Promise<number>;
  /** Entries with seq > `after`, oldest first, at most `limit` of them. */
  read(options?: { after?: number; limit?: number }): Promise<JournalEntry[]>;
  /** Deletes entries with seq < `beforeSeq` (retention); returns how many went. */
  prune(beforeSeq: number): Promise<number>;
  stats(): JournalStats;
  close(): Promise<void>;
}

/** Bytes a call adds to the journal's payload columns (for size accounting). */
export function callBytes(call: JournalCall): number {
  if (call.kind === 'ingest') return call.payload.byteLength + call.topic.length;
  return columnsOf(call).body?.byteLength ?? 0;
}

/** A call as the SQL back ends store it: its kind, event time, topic and body (JSON for staff decisions and seeds). */
export function columnsOf(call: JournalCall): {
  kind: string;
  t: number | null;
  topic: string | null;
  body: Uint8Array | null;
} {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  switch (call.kind) {
    case 'ingest':
      return { kind: 'ingest', t: null, topic: call.topic, body: call.payload };
    case 'tick':
      return { kind: 'tick', t: call.t, topic: null, body: null };
    case 'resolve':
      return {
        kind: 'resolve',
        t: call.t,
        topic: null,
        body: json({ caseId: call.caseId, choice: call.choice, reviewer: call.reviewer }),
      };
    case 'epoch':
      return { kind: 'epoch', t: call.t, topic: null, body: json(call.seed) };
  }
}

/** A stored row back into an entry; shared by the SQL back ends. */
export function entryFromRow(row: {
  seq: number;
  kind: string;
  t: number | null;
  topic: string | null;
  body: Uint8Array | null;
}): JournalEntry {
  switch (row.kind) {
    case 'ingest':
      return { seq: row.seq, kind: 'ingest', topic: row.topic ?? '', payload: row.body ?? new Uint8Array() };
    case 'tick':
      return { seq: row.seq, kind: 'tick', t: Number(row.t) };
    case 'resolve': {
      const body = JSON.parse(Buffer.from(row.body ?? []).toString('utf8')) as {
        caseId: string;
        choice: ReviewAlternative;
        reviewer: string;
      };
      return { seq: row.seq, kind: 'resolve', t: Number(row.t), ...body };
    }
    case 'epoch':
      return {
        seq: row.seq,
        kind: 'epoch',
        t: Number(row.t),
        seed: JSON.parse(Buffer.from(row.body ?? []).toString('utf8')),
      };
    default:
      throw new Error(`input journal row ${row.seq} has unknown kind "${row.kind}"`);
  }
}

/**
 * Kept in memory: tests, and `db: memory` where nothing survives the process anyway (`keep: false` then drops the
 * rows and only counts them, so a long demo does not grow without bound).
 */
export class MemoryInputJournal implements InputJournal {
  private entries: JournalEntry[] = [];
  private last = 0;
  private bytes = 0;

  constructor(private readonly options: { keep?: boolean } = {}) {}

  async append(calls: readonly JournalCall[]): Promise<number> {
    for (const call of calls) {
      this.last += 1;
      if (this.options.keep === false) continue;
      const copy = call.kind === 'ingest' ? { ...call, payload: Uint8Array.from(call.payload) } : structuredClone(call);
      this.entries.push({ ...copy, seq: this.last });
      this.bytes += callBytes(call);
    }
    return this.last;
  }

  async read(options: { after?: number; limit?: number } = {}): Promise<JournalEntry[]> {
    const after = options.after ?? 0;
    const out = this.entries.filter((e) => e.seq > after);
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async prune(beforeSeq: number): Promise<number> {
    const gone = this.entries.filter((e) => e.seq < beforeSeq);
    this.entries = this.entries.filter((e) => e.seq >= beforeSeq);
    for (const e of gone) this.bytes -= callBytes(e);
    return gone.length;
  }

  stats(): JournalStats {
    return { rows: this.entries.length, bytes: this.bytes, lastSeq: this.last };
  }

  async close(): Promise<void> {}
}
