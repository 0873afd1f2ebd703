/**
 * Opening a SQLite database (better-sqlite3 12) the one way every SQLite store here does (event log, input journal,
 * accounts, checkout ledger): a path (or `:memory:`) opens its own connection in WAL mode, so readers never wait on
 * the writer; an already open database is shared as it is, its pragmas left to whoever opened it, and is never
 * closed by a store that merely borrowed it. `SqliteTables` is the base those stores extend.
 */
import Database from 'better-sqlite3';

export type SqliteSync = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** `synchronous` pragma; unset keeps SQLite's default (FULL). */
  synchronous?: SqliteSync;
  /** Wait this long for another connection's write lock instead of failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** An open database and whether this holder opened it (and so closes it). */
export interface SqliteHandle {
  readonly db: Database.Database;
  readonly owns: boolean;
}

/** `file` is a path or `:memory:`; pass an open database to share one file with other tables. */
export function openSqlite(file: string | Database.Database, options: SqliteOptions = {}): SqliteHandle {
  if (typeof file !== 'string') return { db: file, owns: false };
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (options.synchronous) db.pragma(`synchronous = ${options.synchronous}`);
  if (options.busyTimeoutMs !== undefined)
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  return { db, owns: true };
}

/** Closes the database if this holder opened it and it is still open; a shared one stays open for its owner. */
export function closeSqlite(handle: SqliteHandle): void {
  if (handle.owns && handle.db.open) handle.db.close();
}

/**
 * Base of the stores kept as tables in one SQLite database: opens it (or borrows a shared one), creates the
 * store's tables if they are missing, and on close closes only what it opened.
 */
export abstract class SqliteTables {
  protected readonly db: Database.Database;
  private readonly sqlite: SqliteHandle;

  protected constructor(file: string | Database.Database, schema: string, options: SqliteOptions = {}) {
    this.sqlite = openSqlite(file, options);
    this.db = this.sqlite.db;
    this.db.exec(schema);
  }

  async close(): Promise<void> {
    closeSqlite(this.sqlite);
  }
}
