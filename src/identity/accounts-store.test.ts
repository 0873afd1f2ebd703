/**
 * Runs the AccountStore contract against both back ends: in memory, and SQLite in a temporary file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteAccountStore } from './accounts-sqlite.ts';
import { accountStoreContract } from './accounts-store.contract.ts';
import { MemoryAccountStore } from './accounts-store.ts';

accountStoreContract('memory', { open: async () => new MemoryAccountStore() });

const dir = mkdtempSync(join(tmpdir(), 'walkout-accounts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let last = '';
accountStoreContract('sqlite', {
  open: async () => {
    n += 1;
    last = join(dir, `accounts-${n}.db`);
    return new SqliteAccountStore(last);
  },
  reopen: async () => new SqliteAccountStore(last),
});
