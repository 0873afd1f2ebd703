/**
 * Picks and opens an event log back end, and the input journal beside it in the same database, from a configuration
 * string: `memory`, `sqlite` (events.sqlite in the data dir), `sqlite:<file>` or a path ending in .sqlite/.db,
 * and `postgres://…` / `postgresql://…`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WalkoutError } from '../errors.ts';
import { type EventLog, MemoryEventLog } from './event-log.ts';
import { type InputJournal, MemoryInputJournal } from './input-journal.ts';
import { PostgresEventLog } from './postgres-event-log.ts';
import { PostgresInputJournal } from './postgres-input-journal.ts';
import { SqliteEventLog } from './sqlite-event-log.ts';
import { type JournalSync, SqliteInputJournal } from './sqlite-input-journal.ts';

export type EventLogKind = 'memory' | 'sqlite' | 'postgres';

export interface EventLogTarget {
  kind: EventLogKind;
  /** The SQLite file or the PostgreSQL url; empty for memory. */
  location: string;
}

/** Resolves a db setting to a back end and location without opening anything. */
export function resolveEventLogTarget(db: string, dataDir: string): EventLogTarget {
  if (db === 'memory') return { kind: 'memory', location: '' };
  if (db === 'sqlite') return { kind: 'sqlite', location: resolve(join(dataDir, 'events.sqlite')) };
  if (/^postgres(ql)?:\/\//.test(db)) return { kind: 'postgres', location: db };
  if (db.startsWith('sqlite:')) return { kind: 'sqlite', location: resolve(db.slice('sqlite:'.length)) };
  if (/\.(sqlite3?|db)$/.test(db)) return { kind: 'sqlite', location: resolve(db) };
  throw new WalkoutError('DB_CONFIG', `unknown db "${db}": use memory, sqlite, sqlite:<file> or postgres://…`);
}

/** A credential-free description of the target for logs and banners. */
export function describeEventLogTarget(target: EventLogTarget): string {
  if (target.kind !== 'postgres') return target.kind === 'memory' ? 'memory' : `sqlite ${target.location}`;
  const url = new URL(target.location);
  url.password = url.password ? '***' : '';
  return `postgres ${url.toString()}`;
}

export async function openEventLog(target: EventLogTarget): Promise<EventLog> {
  switch (target.kind) {
    case 'memory':
      return new MemoryEventLog();
    case 'sqlite':
      mkdirSync(dirname(target.location), { recursive: true });
      return new SqliteEventLog(target.location);
    case 'postgres':
      return PostgresEventLog.open({ url: target.location });
  }
}

/**
 * The input journal in the same database as the event log. For `memory` nothing outlives the process, so the journal
 * only counts rows and keeps none.
 */
export async function openInputJournal(
  target: EventLogTarget,
  options: { sync?: JournalSync } = {},
): Promise<InputJournal> {
  switch (target.kind) {
    case 'memory':
      return new MemoryInputJournal({ keep: false });
    case 'sqlite':
      mkdirSync(dirname(target.location), { recursive: true });
      return new SqliteInputJournal(target.location, options);
    case 'postgres':
      return PostgresInputJournal.open({ url: target.location });
  }
}
