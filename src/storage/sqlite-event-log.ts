/**
 * The event log in SQLite (better-sqlite3 12, WAL mode): the embedded default for a store box.
 */
import type Database from 'better-sqlite3';
import type { EngineEvent, EngineEventType, LoggedEvent } from '../engine/events.ts';
import type { EventLog } from './event-log.ts';
import { SqliteTables } from './open-sqlite.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS event_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  t INTEGER NOT NULL,
  data TEXT NOT NULL
)`;

export class SqliteEventLog extends SqliteTables implements EventLog {
  private readonly insert: Database.Statement<[string, number, string]>;

  constructor(file: string) {
    super(file, SCHEMA, { synchronous: 'NORMAL' });
    this.insert = this.db.prepare('INSERT INTO event_log (type, t, data) VALUES (?, ?, ?)');
  }

  async append(event: EngineEvent): Promise<number> {
    return Number(this.insert.run(event.type, event.t, JSON.stringify(event.data)).lastInsertRowid);
  }

  async read(options: { after?: number; types?: readonly EngineEventType[]; limit?: number } = {}) {
    const params: (string | number)[] = [options.after ?? 0];
    let sql = 'SELECT seq, type, t, data FROM event_log WHERE seq > ?';
    if (options.types?.length) {
      sql += ` AND type IN (${options.types.map(() => '?').join(',')})`;
      params.push(...options.types);
    }
    sql += ' ORDER BY seq';
    if (options.limit) {
      sql += ' LIMIT ?';
      params.push(options.limit);
    }
    const rows = this.db.prepare(sql).all(...params) as { seq: number; type: string; t: number; data: string }[];
    return rows.map((r) => ({ seq: r.seq, type: r.type, t: r.t, data: JSON.parse(r.data) }) as LoggedEvent);
  }

  async lastSeq(): Promise<number> {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM event_log').get() as { seq: number };
    return row.seq;
  }
}
