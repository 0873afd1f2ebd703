import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closeSqlite, openSqlite } from './open-sqlite.ts';

test('a path opens its own connection in WAL mode with the asked pragmas, and closes it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-open-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const handle = openSqlite(join(dir, 'x.sqlite'), { synchronous: 'NORMAL', busyTimeoutMs: 1234 });
  assert.equal(handle.owns, true);
  assert.equal(handle.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(handle.db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
  assert.equal(handle.db.pragma('busy_timeout', { simple: true }), 1234);
  closeSqlite(handle);
  assert.equal(handle.db.open, false);
  closeSqlite(handle); // twice is harmless
});

test('without options SQLite keeps its own synchronous default; a shared database is borrowed, never closed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-open-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const owner = openSqlite(join(dir, 'shared.sqlite'));
  assert.equal(owner.db.pragma('synchronous', { simple: true }), 2, 'FULL');
  owner.db.pragma('busy_timeout = 0');
  const borrowed = openSqlite(owner.db, { busyTimeoutMs: 9999 });
  assert.equal(borrowed.owns, false);
  assert.equal(borrowed.db, owner.db);
  assert.equal(owner.db.pragma('busy_timeout', { simple: true }), 0, "the owner's pragmas stand");
  closeSqlite(borrowed);
  assert.equal(owner.db.open, true);
  closeSqlite(owner);
  assert.equal(owner.db.open, false);
});
