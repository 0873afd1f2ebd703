import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReceiptStatus } from '../checkout/types.ts';
import {
  caseClosedEvent,
  exitEvent,
  nextReceiptStatus,
  RECEIPT_TRANSITIONS,
  type ReceiptEvent,
  receiptStatusLabel,
} from './receipt-status.ts';

function run(events: ReceiptEvent[], from: ReceiptStatus = 'open'): ReceiptStatus {
  return events.reduce<ReceiptStatus>((s, e) => {
    const r = nextReceiptStatus(s, e);
    assert.ok(r.ok, `${s} --${e}-->: ${r.ok ? '' : r.reason}`);
    return r.value;
  }, from);
}

test('[C7] leaving with nothing blocking makes the receipt final at once', () => {
  assert.equal(run(['case-opened', 'cases-cleared', exitEvent(0)]), 'final');
});

test('[C7] leaving with a case open waits in pending-review until the last case closes', () => {
  assert.equal(run([exitEvent(2)]), 'pending-review');
  assert.equal(run([exitEvent(2), caseClosedEvent(1)]), 'pending-review');
  assert.equal(run([exitEvent(2), caseClosedEvent(1), 'case-opened', caseClosedEvent(1), caseClosedEvent(0)]), 'final');
});

test('[C7] a final receipt is never changed', () => {
  for (const e of ['case-opened', 'case-closed', 'cases-cleared', 'exit-clear', 'exit-blocked'] as const) {
    const r = nextReceiptStatus('final', e);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.code, 'RECEIPT_FINAL');
  }
});

test('[C7] leaving twice is not a transition', () => {
  const r = nextReceiptStatus('pending-review', 'exit-clear');
  assert.equal(r.ok ? '' : r.code, 'BAD_TRANSITION');
});

test('[C7] every status has a row and a label', () => {
  for (const s of Object.keys(RECEIPT_TRANSITIONS) as ReceiptStatus[]) assert.ok(receiptStatusLabel(s).length > 0);
});
