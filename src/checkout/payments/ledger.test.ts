/**
 * Runs the CheckoutLedger contract against both back ends: in memory, and SQLite in a temporary file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { checkoutLedgerContract } from './ledger.contract.ts';
import { MemoryCheckoutLedger } from './ledger.ts';
import { SqliteCheckoutLedger } from './ledger-sqlite.ts';

checkoutLedgerContract('memory', { open: async () => new MemoryCheckoutLedger() });

const dir = mkdtempSync(join(tmpdir(), 'walkout-ledger-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let last = '';
checkoutLedgerContract('sqlite', {
  open: async () => {
    n += 1;
    last = join(dir, `ledger-${n}.db`);
    return new SqliteCheckoutLedger(last);
  },
  reopen: async () => new SqliteCheckoutLedger(last),
});
