/**
 * Final receipts in the log that the checkout ledger lacks are handed over once (shopper accounts only), known
 * ones are left alone, items found after a receipt was final come back as refunds, and the cursor makes the next
 * start read only what came after; a cursor of another log is ignored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryCheckoutLedger } from '../checkout/payments/ledger.ts';
import type { Receipt } from '../checkout/types.ts';
import type { FoundItem } from '../engine/found-items.ts';
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

const found = (sessionId: string | null, afterFinal: boolean): FoundItem => ({
  foundId: `found-h1-${sessionId}`,
  handheldId: 'h1',
  sku: 'WATER',
  at: [1, 1],
  t: 5,
  sessionId,
  confidence: 0.95,
  candidates: [],
  afterFinal,
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
    await log.append({ type: 'item.found', t: 5, data: found('v-known', true) });
    await log.append({ type: 'item.found', t: 5, data: found('v-missed', false) });
    await log.append({ type: 'item.found', t: 5, data: found(null, false) });
    await log.append({ type: 'session.closed', t: 6, data: { sessionId: 'v-scanned', reason: 'timeout' } });
    await log.append({ type: 'session.closed', t: 6, data: { sessionId: 'v-known', reason: 'exit' } });
    const catchUp = () => catchUpReceipts({ log, logName: 'memory', ledger, handles, dataDir: dir });
    const { report: first, steps, advance } = await catchUp();
    assert.deepEqual(first, { read: 4, added: 1, refunds: 1, releases: 1, from: 0, to: 10 });
    assert.deepEqual(
      steps.map((s) => [s.seq, s.kind, s.kind === 'refund' ? s.found.sessionId : s.visit]),
      [
        [6, 'refund', 'v-known'],
        [9, 'release', 'v-scanned'],
      ],
      'only a find taken off a final receipt is a refund; only a visit that timed out lets go of a hold',
    );
    assert.equal((await ledger.unsent()).map((r) => r.receipt.visit).join(), 'v-missed');
    assert.equal((await ledger.receipt('v-known'))?.emailedAt, 5);

    // A start that crashed before its refunds were done reads them again (the receipts are in the ledger by then).
    const again = await catchUp();
    assert.deepEqual(again.report, { read: 4, added: 0, refunds: 1, releases: 1, from: 0, to: 10 });
    // One whose step failed holds the cursor just before it.
    advance(9);
    assert.deepEqual((await catchUp()).report, { read: 0, added: 0, refunds: 0, releases: 1, from: 8, to: 10 });
    advance();
    await log.append({ type: 'receipt.final', t: 9, data: receipt('v-later', 'acc_4') });
    const { report: second } = await catchUp();
    assert.deepEqual(second, { read: 1, added: 1, refunds: 0, releases: 0, from: 10, to: 11 });
    const { report: other } = await catchUpReceipts({ log, logName: 'another log', ledger, handles, dataDir: dir });
    assert.deepEqual([other.from, other.read, other.added, other.refunds, other.releases], [0, 5, 0, 1, 1]);
  });
});
