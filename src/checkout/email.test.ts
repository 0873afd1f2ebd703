/**
 * Receipt email rendering: money in the currency's minor unit, tax only where configured, an empty visit, escaping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMoney, includedTax, renderReceiptEmail } from './email.ts';
import type { Receipt } from './types.ts';

const base: Receipt = {
  visit: 'door@1',
  account: 'ann',
  lines: [{ sku: 'A', name: 'Tea "green" & <b>', qty: 3, unitPrice: 120 }],
  total: 360,
  currency: 'EUR',
  status: 'final',
  entered: Date.UTC(2025, 0, 2, 23, 59, 0),
  exited: null,
  finalAt: Date.UTC(2025, 0, 3, 0, 1, 0),
};
const options = {
  storeName: 'Shop & Co',
  timeZone: 'Europe/Berlin',
  taxRate: null,
  disputeUrl: 'https://x.test/app/#receipt/door%401',
  payment: 'captured' as const,
};

describe('receipt email', () => {
  it('formats minor units per currency', () => {
    assert.equal(formatMoney(360, 'EUR'), '€3.60');
    assert.equal(formatMoney(360, 'JPY'), '¥360');
    assert.equal(includedTax(1200, 0.2), 200);
  });

  it('shows no tax line unless configured, times in the store zone, and escapes HTML', () => {
    const m = renderReceiptEmail(base, options);
    assert.doesNotMatch(m.text, /tax/i);
    assert.match(m.text, /In: {2}3 Jan 2025, 00:59:00/, 'Berlin is UTC+1 in winter');
    assert.match(m.text, /Out: —/);
    assert.match(m.text, /3 × Tea "green" & <b> @ €1\.20 {2}€3\.60/);
    assert.match(m.html, /Tea &quot;green&quot; &amp; &lt;b&gt;/);
    assert.match(m.html, /<h1[^>]*>Shop &amp; Co<\/h1>/);
    assert.equal(m.subject, 'Your receipt from Shop & Co: €3.60');
  });

  it('says there is no charge for an empty visit, and a pending charge when unknown', () => {
    const m = renderReceiptEmail({ ...base, lines: [], total: 0 }, { ...options, payment: 'pending' });
    assert.match(m.text, /Nothing taken: no charge\./);
    assert.match(m.text, /on its way/);
  });
});
