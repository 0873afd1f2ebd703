/**
 * The event log in PostgreSQL (pg 8): for a store that keeps its log on a shared database server.
 * Appends are serialised in this process so sequence numbers stay gap-free and commit in order, which is what lets
 * a reader that asks for "after seq N" never miss an event: one store has one writer.
 */
import pg from 'pg';
import type { EngineEvent, EngineEventType, LoggedEvent } from '../engine/events.ts';
import { WalkoutError } from '../errors.ts';
import type { EventLog } from './event-log.ts';

export interface PostgresEventLogOptions {
  /** `postgres://user:pass@host:port/db` */
  url: string;
  /** Table name, letters, digits and underscores (default `event_log`); one table per store if they share a db. */
  table?: string;
}

export class PostgresEventLog implements EventLog {
  private tail: Promise<unknown> = Promise.resolve();
  private next = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  /** Connects, creates the table when missing, and reads the last sequence number. */
  static async open(options: PostgresEventLogOptions): Promise<PostgresEventLog> {
    const table = options.table ?? 'event_log';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new WalkoutError('DB_CONFIG', `bad table name "${table}"`);
    const pool = new pg.Pool({ connectionString: options.url, max: 4 });
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        seq BIGINT PRIMARY KEY,
        type TEXT NOT NULL,
        t BIGINT NOT NULL,
        data JSONB NOT NULL
      )`);
      const log = new PostgresEventLog(pool, table);
      log.next = (await log.lastSeq()) + 1;
      return log;
    } catch (error) {
      await pool.end();
      throw new WalkoutError('DB_UNAVAILABLE', `cannot open PostgreSQL event log: ${(error as Error).message}`);
    }
  }

  append(event: EngineEvent): Promise<number> {
    // Seq is assigned here rather than by a sequence, so a failed insert cannot leave a gap.
    const seq = this.next++;
    const run = this.tail.then(async () => {
      await this.pool.query(`INSERT INTO ${this.table} (seq, type, t, data) VALUES ($1, $2, $3, $4)`, [
        seq,
        event.type,
        event.t,
        JSON.stringify(event.data),
      ]);
      return seq;
    });
    // A failed append poisons later ones: the log must not continue with a hole in it.
    this.tail = run;
    return run;
  }

  async read(options: { after?: number; types?: readonly EngineEventType[]; limit?: number } = {}) {
    const params: unknown[] = [options.after ?? 0];
    let sql = `SELECT seq, type, t, data FROM ${this.table} WHERE seq > $1`;
    if (options.types?.length) {
      params.push(options.types);
      sql += ` AND type = ANY($${params.length})`;
    }
    sql += ' ORDER BY seq';
    if (options.limit) {
      params.push(options.limit);
      sql += ` LIMIT $${params.length}`;
    }
    const rows = await this.pool.query<{ seq: string; type: string; t: string; data: unknown }>(sql, params);
    return rows.rows.map((r) => ({ seq: Number(r.seq), type: r.type, t: Number(r.t), data: r.data }) as LoggedEvent);
  }

  async lastSeq(): Promise<number> {
    const r = await this.pool.query<{ seq: string }>(`SELECT COALESCE(MAX(seq), 0) AS seq FROM ${this.table}`);
    return Number(r.rows[0]?.seq ?? 0);
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.pool.end();
  }
}
