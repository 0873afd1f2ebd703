/**
 * The input journal in PostgreSQL (pg 8), for a store whose event log lives on a PostgreSQL server (the chain's
 * central database, one table pair per store). A batch is one multi-row INSERT in one transaction; PostgreSQL's
 * default `synchronous_commit = on` makes it durable (WAL flushed) before the commit returns, which is what the
 * acknowledgement to the device waits for. Appends are serialised in this process: one store, one writer.
 */
import pg from 'pg';
import { WalkoutError } from '../errors.ts';
import {
  callBytes,
  columnsOf,
  entryFromRow,
  type InputJournal,
  type JournalCall,
  type JournalEntry,
  type JournalStats,
} from './input-journal.ts';

export interface PostgresInputJournalOptions {
  url: string;
  /** Table name (default `input_journal`); one per store if several stores share a database. */
  table?: string;
}

/** Rows per INSERT statement: 5 parameters each, well under PostgreSQL's 65 535 bind parameters. */
const ROWS_PER_STATEMENT = 2_000;

export class PostgresInputJournal implements InputJournal {
  private tail: Promise<unknown> = Promise.resolve();
  private counts: JournalStats = { rows: 0, bytes: 0, lastSeq: 0 };
  /** A write failed: whether its COMMIT went through is unknown until the table is counted again. */
  private uncertain = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(options: PostgresInputJournalOptions): Promise<PostgresInputJournal> {
    const table = options.table ?? 'input_journal';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new WalkoutError('DB_CONFIG', `bad table name "${table}"`);
    const pool = new pg.Pool({ connectionString: options.url, max: 2 });
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, t BIGINT, topic TEXT, body BYTEA
      )`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table}_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)`);
      const journal = new PostgresInputJournal(pool, table);
      await journal.count();
      return journal;
    } catch (error) {
      await pool.end();
      throw new WalkoutError('DB_UNAVAILABLE', `cannot open PostgreSQL input journal: ${(error as Error).message}`);
    }
  }

  /** Rows, bytes and the last number, as the table holds them. */
  private async count(): Promise<void> {
    const agg = await this.pool.query<{ rows: string; bytes: string; last: string; pruned: string | null }>(
      `SELECT COUNT(*) AS rows,
              COALESCE(SUM(COALESCE(LENGTH(body), 0) + COALESCE(LENGTH(topic), 0)), 0) AS bytes,
              COALESCE(MAX(seq), 0) AS last,
              (SELECT value FROM ${this.table}_meta WHERE key = 'pruned_up_to') AS pruned
       FROM ${this.table}`,
    );
    const row = agg.rows[0];
    this.counts = {
      rows: Number(row?.rows ?? 0),
      bytes: Number(row?.bytes ?? 0),
      lastSeq: Math.max(Number(row?.last ?? 0), Number(row?.pruned ?? 0)),
    };
    this.uncertain = false;
  }

  append(calls: readonly JournalCall[]): Promise<number> {
    // Numbered when its turn comes, from what is written: a batch that failed (not applied, not acked) leaves no
    // hole, so the next one goes on instead of every later batch failing until a restart. A failure can hide a
    // COMMIT that went through (the connection lost on its answer), so the table is counted again first.
    const run = this.tail.then(async () => {
      if (this.uncertain) await this.count();
      const first = this.counts.lastSeq + 1;
      const last = this.counts.lastSeq + calls.length;
      if (calls.length === 0) return last;
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        for (let i = 0; i < calls.length; i += ROWS_PER_STATEMENT) {
          const chunk = calls.slice(i, i + ROWS_PER_STATEMENT);
          const params: unknown[] = [];
          const values = chunk.map((call, j) => {
            params.push(first + i + j, ...columns(call));
            const b = params.length - 5;
            return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
          });
          await client.query(
            `INSERT INTO ${this.table} (seq, kind, t, topic, body) VALUES ${values.join(',')}`,
            params,
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        this.uncertain = true;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      this.counts.lastSeq = last;
      this.counts.rows += calls.length;
      for (const call of calls) this.counts.bytes += callBytes(call);
      return last;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async read(options: { after?: number; limit?: number } = {}): Promise<JournalEntry[]> {
    const params: unknown[] = [options.after ?? 0];
    let sql = `SELECT seq, kind, t, topic, body FROM ${this.table} WHERE seq > $1 ORDER BY seq`;
    if (options.limit) {
      params.push(options.limit);
      sql += ' LIMIT $2';
    }
    const rows = await this.pool.query<{
      seq: string;
      kind: string;
      t: string | null;
      topic: string | null;
      body: Buffer | null;
    }>(sql, params);
    return rows.rows.map((r) =>
      entryFromRow({
        seq: Number(r.seq),
        kind: r.kind,
        t: r.t === null ? null : Number(r.t),
        topic: r.topic,
        body: r.body,
      }),
    );
  }

  async prune(beforeSeq: number): Promise<number> {
    await this.tail.catch(() => undefined);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const gone = await client.query<{ rows: string; bytes: string }>(
        `WITH d AS (DELETE FROM ${this.table} WHERE seq < $1 RETURNING body, topic)
         SELECT COUNT(*) AS rows, COALESCE(SUM(COALESCE(LENGTH(body), 0) + COALESCE(LENGTH(topic), 0)), 0) AS bytes FROM d`,
        [beforeSeq],
      );
      await client.query(
        `INSERT INTO ${this.table}_meta (key, value) VALUES ('pruned_up_to', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [Math.min(beforeSeq - 1, this.counts.lastSeq)],
      );
      await client.query('COMMIT');
      const rows = Number(gone.rows[0]?.rows ?? 0);
      this.counts.rows -= rows;
      this.counts.bytes -= Number(gone.rows[0]?.bytes ?? 0);
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  stats(): JournalStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.pool.end();
  }
}

function columns(call: JournalCall): [string, number | null, string | null, Buffer | null] {
  const { kind, t, topic, body } = columnsOf(call);
  return [kind, t, topic, body && Buffer.from(body.buffer, body.byteOffset, body.byteLength)];
}
