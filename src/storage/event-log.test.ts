/**
 * Runs the event log and input journal contracts against every back end: memory, SQLite in a temp dir, and
 * PostgreSQL in a throwaway cluster when initdb/pg_ctl are installed (skipped with the reason otherwise).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'pg';
import { eventLogContract } from './event-log.contract.ts';
import { MemoryEventLog } from './event-log.ts';
import { inputJournalContract } from './input-journal.contract.ts';
import { MemoryInputJournal } from './input-journal.ts';
import { describeEventLogTarget, resolveEventLogTarget } from './open-event-log.ts';
import { PostgresEventLog } from './postgres-event-log.ts';
import { PostgresInputJournal } from './postgres-input-journal.ts';
import { SqliteEventLog } from './sqlite-event-log.ts';
import { SqliteInputJournal } from './sqlite-input-journal.ts';
import { startTempPostgres, type TempPostgres, tempPostgresUnavailable } from './temp-postgres.ts';

eventLogContract('memory', { open: async () => new MemoryEventLog() });
inputJournalContract('memory', { open: async () => new MemoryInputJournal() });

const dir = mkdtempSync(join(tmpdir(), 'walkout-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let sqliteFiles = 0;
eventLogContract('sqlite', {
  open: async () => new SqliteEventLog(join(dir, `log-${++sqliteFiles}.sqlite`)),
  reopen: async () => new SqliteEventLog(join(dir, `log-${sqliteFiles}.sqlite`)),
});
// The journal shares the event log's file in the server; here each test gets its own file, at the default FULL sync.
inputJournalContract('sqlite', {
  open: async () => new SqliteInputJournal(join(dir, `journal-${++sqliteFiles}.sqlite`)),
  reopen: async () => new SqliteInputJournal(join(dir, `journal-${sqliteFiles}.sqlite`)),
  // Another connection adds a trigger that aborts every insert, and drops it to lift the refusal.
  refuseWrites: async () => {
    const db = new Database(join(dir, `journal-${sqliteFiles}.sqlite`));
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON input_journal BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    return async () => {
      db.exec('DROP TRIGGER refuse');
      db.close();
    };
  },
});

const pgMissing = tempPostgresUnavailable();
if (pgMissing) {
  describe('EventLog and InputJournal contracts: postgres', () => {
    it(`skipped: ${pgMissing}`, { skip: pgMissing }, () => {});
  });
} else {
  let pg: TempPostgres | null = null;
  let tables = 0;
  before(async () => {
    pg = await startTempPostgres();
  });
  after(() => pg?.stop());
  const url = () => {
    if (!pg) throw new Error('postgres did not start');
    return pg.url;
  };
  eventLogContract('postgres', {
    open: () => PostgresEventLog.open({ url: url(), table: `log_${++tables}` }),
    reopen: () => PostgresEventLog.open({ url: url(), table: `log_${tables}` }),
  });
  /** Another connection makes every insert into `table` fail until the returned function lifts it. */
  const refuseWrites = async (table: string) => {
    const client = new postgres.Client({ connectionString: url() });
    await client.connect();
    await client.query(`CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
    await client.query(`CREATE TRIGGER refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse()`);
    return async (then?: string) => {
      await client.query(`DROP TRIGGER refuse ON ${table}`);
      if (then) await client.query(then);
      await client.end();
    };
  };
  inputJournalContract('postgres', {
    open: () => PostgresInputJournal.open({ url: url(), table: `journal_${++tables}` }),
    reopen: () => PostgresInputJournal.open({ url: url(), table: `journal_${tables}` }),
    refuseWrites: () => refuseWrites(`journal_${tables}`),
  });
  it('PostgreSQL input journal: numbers on past a batch whose COMMIT went through unanswered', async () => {
    const journal = await PostgresInputJournal.open({ url: url(), table: 'journal_unanswered' });
    try {
      const tick = (t: number) => ({ kind: 'tick' as const, t });
      assert.equal(await journal.append([tick(1)]), 1);
      const lift = await refuseWrites('journal_unanswered');
      await assert.rejects(journal.append([tick(2)]));
      // As if that batch's COMMIT had landed and only its answer was lost: the row is there.
      await lift("INSERT INTO journal_unanswered (seq, kind, t) VALUES (2, 'tick', 2)");
      assert.equal(await journal.append([tick(3)]), 3);
      assert.equal(journal.stats().rows, 3);
    } finally {
      await journal.close();
    }
  });
}

describe('resolveEventLogTarget', () => {
  it('maps db settings to back ends', () => {
    assert.deepEqual(resolveEventLogTarget('memory', '/d'), { kind: 'memory', location: '' });
    assert.deepEqual(resolveEventLogTarget('sqlite', '/d'), { kind: 'sqlite', location: '/d/events.sqlite' });
    assert.deepEqual(resolveEventLogTarget('sqlite:/x/y.db', '/d'), { kind: 'sqlite', location: '/x/y.db' });
    assert.equal(resolveEventLogTarget('postgres://u:p@h:5432/db', '/d').kind, 'postgres');
    assert.throws(() => resolveEventLogTarget('mysql://h/db', '/d'), /unknown db/);
  });

  it('hides the password when describing a PostgreSQL target', () => {
    const text = describeEventLogTarget(resolveEventLogTarget('postgres://u:secret@h:5432/db', '/d'));
    assert.doesNotMatch(text, /secret/);
    assert.match(text, /u:\*\*\*@h:5432/);
  });
});
