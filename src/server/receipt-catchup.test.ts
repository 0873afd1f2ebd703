/**
 * Final receipts in the log that the checkout ledger lacks are handed over once (shopper accounts only), known
 * ones are left alone, and the cursor makes the next start read only what came after; a cursor of another log is
 * ignored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryCheckoutLedger } from '../checkout/payments/ledger.ts';
import type { Receipt } from '../checkout/types.ts';
import { MemoryEventLog } from '../storage/event-log.ts';
import { catchUpReceipts } from './receipt-catchup.ts';

const dir = mkdtempSync(join(tmpdir(), 'walkout-catchup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const receipt = (visit: string, account: string, status: Receipt['status'] = 'final'): Receipt => ({
  visit,
  account,
  lines: [{ sku: 'cola', name: 'Cola', qty: 1, unitPrice: 150 }],
  total: 150,
  currency: 'EUR',
  status,
  entered: 1,
  exited: 2,
  finalAt: 3,
});

describe('catchUpReceipts', () => {
  it('hands missed final receipts of shopper accounts to the ledger, once', async () => {
    const log = new MemoryEventLog();
    const ledger = new MemoryCheckoutLedger();
    const handles = (account: string) => account.startsWith('acc_');
    await ledger.putReceipt({ receipt: receipt('v-known', 'acc_1'), emailedAt: 5, emailError: null });
    await log.append({ type: 'receipt.final', t: 3, data: receipt('v-known', 'acc_1') });
    await log.append({ type: 'receipt.final', t: 3, data: receipt('v-missed', 'acc_2') });
    await log.append({ type: 'receipt.final', t: 3, data: receipt('v-demo', 'acct-0001') });
    await log.append({ type: 'receipt.final', t: 3, data: receipt('v-review', 'acc_3', 'pending-review') });
    await log.append({ type: 'device.back', t: 4, data: { deviceId: 'p1' } });
    const first = await catchUpReceipts({ log, logName: 'memory', ledger, handles, dataDir: dir });
    assert.deepEqual(first, { read: 4, added: 1, from: 0, to: 5 });
    assert.equal((await ledger.unsent()).map((r) => r.receipt.visit).join(), 'v-missed');
    assert.equal((await ledger.receipt('v-known'))?.emailedAt, 5);

    await log.append({ type: 'receipt.final', t: 9, data: receipt('v-later', 'acc_4') });
    const second = await catchUpReceipts({ log, logName: 'memory', ledger, handles, dataDir: dir });
    assert.deepEqual(second, { read: 1, added: 1, from: 5, to: 6 });
    const other = await catchUpReceipts({ log, logName: 'another log', ledger, handles, dataDir: dir });
    assert.deepEqual([other.from, other.read, other.added], [0, 5, 0]);
  });
});
