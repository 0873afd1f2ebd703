/**
 * The input journal in SQLite (better-sqlite3 12, WAL), in the same database file as the event log but on its own
 * connection, so its durability can differ from the event log's (always NORMAL).
 *
 * In WAL mode NORMAL survives a process crash (SIGKILL: committed pages are in the OS cache and the WAL is replayed on
 * open) but not a power cut or kernel panic, which may roll back the commits since the last WAL sync. A device message
 * is acknowledged once its journal row commits, so a rolled-back row is a message lost for good. FULL (this class's
 * default) fsyncs the WAL on every commit; commits are batched, so it is one fsync per batch — but on the calling
 * thread. The server defaults to NORMAL for that reason (docs/operations.md, "Durability and recovery"). The event log
 * can stay at NORMAL either way: whatever it loses is re-decided from the journal on the next start. Both tables share
 * one WAL, so a FULL commit also makes every earlier event-log commit durable.
 */
import type Database from 'better-sqlite3';
import {
  callBytes,
  columnsOf,
  entryFromRow,
  type InputJournal,
  type JournalCall,
  type JournalEntry,
  type JournalStats,
} from './input-journal.ts';
import { SqliteTables } from './open-sqlite.ts';

export type JournalSync = 'full' | 'normal';

type Row = { seq: number; kind: string; t: number | null; topic: string | null; body: Uint8Array | null };

const SCHEMA = `CREATE TABLE IF NOT EXISTS input_journal (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  t INTEGER,
  topic TEXT,
  body BLOB
)`;

export class SqliteInputJournal extends SqliteTables implements InputJournal {
  private readonly insert: Database.Statement<[number, string, number | null, string | null, Uint8Array | null]>;
  private readonly appendAll: (calls: readonly JournalCall[]) => void;
  private counts: JournalStats;

  constructor(file: string, options: { sync?: JournalSync } = {}) {
    // The event log's connection may be writing; wait for it rather than failing with SQLITE_BUSY.
    super(file, SCHEMA, { synchronous: options.sync === 'normal' ? 'NORMAL' : 'FULL', busyTimeoutMs: 5000 });
    this.insert = this.db.prepare('INSERT INTO input_journal (seq, kind, t, topic, body) VALUES (?, ?, ?, ?, ?)');
    const agg = this.db
      .prepare(
        'SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(body)) + SUM(LENGTH(topic)), 0) AS bytes, COALESCE(MAX(seq), 0) AS lastSeq FROM input_journal',
      )
      .get() as JournalStats;
    this.counts = { rows: agg.rows, bytes: agg.bytes, lastSeq: Math.max(agg.lastSeq, this.prunedUpTo()) };
    this.appendAll = this.db.transaction((calls: readonly JournalCall[]) => {
      for (const call of calls) {
        const seq = ++this.counts.lastSeq;
        const { kind, t, topic, body } = columnsOf(call);
        this.insert.run(seq, kind, t, topic, body);
      }
    });
  }

  async append(calls: readonly JournalCall[]): Promise<number> {
    if (calls.length === 0) return this.counts.lastSeq;
    const before = this.counts.lastSeq;
    try {
      this.appendAll(calls);
    } catch (error) {
      this.counts.lastSeq = before;
      throw error;
    }
    this.counts.rows += calls.length;
    for (const call of calls) this.counts.bytes += callBytes(call);
    return this.counts.lastSeq;
  }

  async read(options: { after?: number; limit?: number } = {}): Promise<JournalEntry[]> {
    const limit = options.limit ?? -1;
    const rows = this.db
      .prepare('SELECT seq, kind, t, topic, body FROM input_journal WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(options.after ?? 0, limit) as Row[];
    return rows.map(entryFromRow);
  }

  async prune(beforeSeq: number): Promise<number> {
    const gone = this.db
      .prepare(
        'SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(body)) + SUM(LENGTH(topic)), 0) AS bytes FROM input_journal WHERE seq < ?',
      )
      .get(beforeSeq) as { rows: number; bytes: number };
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM input_journal WHERE seq < ?').run(beforeSeq);
      // Remember how far numbering went, so a prune of every row does not restart it at 1.
      this.db.exec('CREATE TABLE IF NOT EXISTS input_journal_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)');
      this.db
        .prepare("INSERT OR REPLACE INTO input_journal_meta (key, value) VALUES ('pruned_up_to', ?)")
        .run(Math.min(beforeSeq - 1, this.counts.lastSeq));
    })();
    this.counts.rows -= gone.rows;
    this.counts.bytes -= gone.bytes;
    return gone.rows;
  }

  stats(): JournalStats {
    return { ...this.counts };
  }

  private prunedUpTo(): number {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'input_journal_meta'")
      .get();
    if (!exists) return 0;
    const row = this.db.prepare("SELECT value FROM input_journal_meta WHERE key = 'pruned_up_to'").get() as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }
}
