/**
 * Payments over the test provider and a real SQLite ledger: one capture per visit across retries, concurrent calls
 * and restarts; a lost provider answer resent with the same key; declines kept and flagged; refunds once per line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryCheckoutLedger } from './ledger.ts';
import { SqliteCheckoutLedger } from './ledger-sqlite.ts';
import { captureKey, NO_ANSWER, Payments, RESEND_WITHIN_MS } from './payments.ts';
import { losingAnswers, TEST_CARDS, TestPaymentProvider } from './test-provider.ts';
import type { CheckoutLedger, PaymentProvider } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'walkout-payments-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const visit = { visit: 'door@1', account: 'ann', currency: 'USD' };

function payments(
  ledger: CheckoutLedger,
  provider: PaymentProvider,
  cards: Record<string, string | null> = { ann: TEST_CARDS.ok },
) {
  return new Payments({ ledger, provider, tokenOf: (a) => cards[a] ?? null, clock: () => 1_000 });
}

describe('Payments', () => {
  it('holds at entry, captures the total once, and a second capture charges nothing', async () => {
    const provider = new TestPaymentProvider();
    const p = payments(new MemoryCheckoutLedger(), provider);
    const held = await p.preauthorize(visit, 5000);
    assert.ok(held.ok);
    assert.equal(held.value.status, 'held');
    const first = await p.capture(visit, 398);
    assert.ok(first.ok);
    assert.equal(first.value.charged, 398);
    assert.equal(first.value.record.idempotencyKey, captureKey('door@1', 1));
    const second = await p.capture(visit, 398);
    assert.ok(second.ok);
    assert.deepEqual([second.value.charged, second.value.alreadyCaptured], [0, true]);
    assert.equal(provider.capturedFor('door@1'), 398);
    assert.equal(provider.movements.filter((m) => m.kind === 'capture').length, 1);
  });

  it('serialises concurrent captures of one visit', async () => {
    const provider = new TestPaymentProvider();
    const p = payments(new MemoryCheckoutLedger(), provider);
    const results = await Promise.all([p.capture(visit, 500), p.capture(visit, 500), p.capture(visit, 500)]);
    assert.deepEqual(
      results.map((r) => r.ok && r.value.charged),
      [500, 0, 0],
    );
    assert.equal(provider.capturedFor('door@1'), 500);
  });

  it('does not capture again after a restart (ledger in SQLite)', async () => {
    const file = join(dir, 'restart.db');
    const provider = new TestPaymentProvider();
    const ledger1 = new SqliteCheckoutLedger(file);
    assert.ok((await payments(ledger1, provider).capture(visit, 777)).ok);
    await ledger1.close();
    const ledger2 = new SqliteCheckoutLedger(file);
    const again = await payments(ledger2, provider).capture(visit, 777);
    assert.ok(again.ok);
    assert.equal(again.value.charged, 0);
    assert.equal(provider.capturedFor('door@1'), 777);
    await ledger2.close();
  });

  it('resends a capture whose answer was lost with the same key, and moves money once', async () => {
    const provider = new TestPaymentProvider();
    // The provider charges, but the answer never reaches us (a timeout): the outcome is unknown.
    const { provider: flaky, lose } = losingAnswers(provider);
    lose.add('capture');
    const ledger = new MemoryCheckoutLedger();
    const first = await payments(ledger, flaky).capture(visit, 250);
    assert.equal(!first.ok && first.code, 'PROVIDER_ERROR');
    assert.equal((await ledger.payment('door@1'))?.status, 'capturing');
    // "Restart": a new Payments over the same ledger resumes unsettled captures.
    assert.deepEqual(await payments(ledger, flaky).resume(), { resent: 1, declined: [], recharged: [] });
    const record = await ledger.payment('door@1');
    assert.equal(record?.status, 'captured');
    assert.equal(provider.movements.filter((m) => m.kind === 'capture').length, 1);
    assert.equal(provider.capturedFor('door@1'), 250);
  });

  it('keeps and flags a declined visit, and captures on a later attempt with a new key', async () => {
    const provider = new TestPaymentProvider();
    const ledger = new MemoryCheckoutLedger();
    const cards: Record<string, string | null> = { ann: TEST_CARDS.declinedAtCapture };
    const p = payments(ledger, provider, cards);
    assert.ok((await p.preauthorize(visit, 5000)).ok, 'the hold passes at entry');
    const declined = await p.capture(visit, 300);
    assert.equal(!declined.ok && declined.code, 'DECLINED');
    const flagged = await ledger.declined();
    assert.deepEqual(
      flagged.map((r) => [r.visit, r.amount, r.status]),
      [['door@1', 300, 'declined']],
    );
    cards.ann = TEST_CARDS.ok;
    const retried = await p.capture(visit, 300);
    assert.ok(retried.ok);
    assert.equal(retried.value.record.idempotencyKey, captureKey('door@1', 2));
    assert.equal(provider.capturedFor('door@1'), 300);
    assert.deepEqual(await ledger.declined(), []);
  });

  it('declines a card that refuses the hold and a visit with no card', async () => {
    const p = payments(new MemoryCheckoutLedger(), new TestPaymentProvider(), { ann: TEST_CARDS.declined });
    const hold = await p.preauthorize(visit, 100);
    assert.equal(!hold.ok && hold.code, 'DECLINED');
    const none = payments(new MemoryCheckoutLedger(), new TestPaymentProvider(), {});
    const capture = await none.capture(visit, 100);
    assert.equal(!capture.ok && capture.code, 'NO_PAYMENT_METHOD');
  });

  it('captures the hold of a shopper who removed their card inside, and declines only a charge beyond it', async () => {
    const provider = new TestPaymentProvider();
    const cards: Record<string, string | null> = { ann: TEST_CARDS.ok };
    const p = payments(new MemoryCheckoutLedger(), provider, cards);
    assert.ok((await p.preauthorize(visit, 500)).ok);
    cards.ann = null;
    const captured = await p.capture(visit, 398);
    assert.ok(captured.ok, 'the hold pays');
    assert.equal(provider.capturedFor('door@1'), 398);
    const beyond = payments(new MemoryCheckoutLedger(), new TestPaymentProvider(), cards);
    assert.ok(!(await beyond.preauthorize(visit, 500)).ok, 'no card, no hold');
    const none = await beyond.capture(visit, 398);
    assert.equal(!none.ok && none.code, 'NO_PAYMENT_METHOD');
  });

  it('lets go of a hold that is not captured: a total beyond it, a zero total, a visit with nothing to charge', async () => {
    const provider = new TestPaymentProvider();
    const p = payments(new MemoryCheckoutLedger(), provider);
    const beyond = { ...visit, visit: 'door@2' };
    assert.ok((await p.preauthorize(beyond, 500)).ok);
    assert.ok((await p.capture(beyond, 800)).ok, 'charged directly');
    assert.deepEqual([provider.capturedFor('door@2'), provider.heldFor('door@2')], [800, 0]);
    const within = { ...visit, visit: 'door@3' };
    assert.ok((await p.preauthorize(within, 500)).ok);
    assert.ok((await p.capture(within, 300)).ok);
    assert.deepEqual([provider.capturedFor('door@3'), provider.heldFor('door@3')], [300, 0], 'the hold was taken');
    const nothing = { ...visit, visit: 'door@4' };
    assert.ok((await p.preauthorize(nothing, 500)).ok);
    assert.ok((await p.capture(nothing, 0)).ok);
    assert.equal(provider.heldFor('door@4'), 0);
    const never = { ...visit, visit: 'door@5' };
    assert.ok((await p.preauthorize(never, 500)).ok);
    assert.ok((await p.release('door@5')).ok, 'nobody came in');
    assert.equal(provider.heldFor('door@5'), 0);
    assert.equal(!(await p.release('door@5')).ok, true, 'once');
  });

  it('resume leaves a visit settled since it listed it: captured and refunded stays so', async () => {
    const provider = new TestPaymentProvider();
    const ledger = new MemoryCheckoutLedger();
    const p = payments(ledger, provider);
    assert.ok((await p.capture(visit, 500)).ok);
    const settled = await ledger.payment('door@1');
    // The list was read while the capture was still unanswered.
    ledger.unsettled = async () => [{ ...settled!, status: 'capturing' as const }];
    assert.ok((await p.refund('door@1', 'COLA', 199)).ok);
    await p.resume();
    assert.equal((await ledger.payment('door@1'))?.refunded, 199);
    assert.equal(provider.capturedFor('door@1'), 301);
  });

  it('records a zero total as captured without asking the provider', async () => {
    const provider = new TestPaymentProvider();
    const r = await payments(new MemoryCheckoutLedger(), provider).capture(visit, 0);
    assert.ok(r.ok);
    assert.equal(r.value.record.status, 'captured');
    assert.equal(provider.requests, 0);
  });

  it('refunds a line once, and never more than was charged', async () => {
    const provider = new TestPaymentProvider();
    const ledger = new MemoryCheckoutLedger();
    const p = payments(ledger, provider);
    const early = await p.refund('door@1', 'MILK', 100);
    assert.equal(!early.ok && early.code, 'NOT_CAPTURED');
    await p.capture(visit, 500);
    const r1 = await p.refund('door@1', 'MILK', 129);
    assert.ok(r1.ok);
    const r2 = await p.refund('door@1', 'MILK', 129);
    assert.equal(!r2.ok && r2.code, 'ALREADY_REFUNDED');
    const big = await p.refund('door@1', 'BREAD', 400);
    assert.equal(!big.ok && big.code, 'REFUND_TOO_LARGE');
    assert.equal(provider.capturedFor('door@1'), 371);
    assert.equal((await ledger.payment('door@1'))?.refunded, 129);
  });

  it('a hold whose answer was lost is asked for again with its key, then captured: nothing is left held', async () => {
    const provider = new TestPaymentProvider();
    // The provider places the hold, but the answer never reaches us.
    const { provider: flaky, lose } = losingAnswers(provider);
    lose.add('hold');
    const ledger = new MemoryCheckoutLedger();
    const held = await payments(ledger, flaky).preauthorize(visit, 5000);
    assert.equal(!held.ok && held.code, 'PROVIDER_ERROR');
    assert.equal((await ledger.payment('door@1'))?.status, 'holding');
    assert.equal(provider.heldFor('door@1'), 5000, 'the card holds the money though we do not know it');
    const captured = await payments(ledger, flaky).capture(visit, 1500);
    assert.ok(captured.ok);
    assert.deepEqual([provider.heldFor('door@1'), provider.capturedFor('door@1')], [0, 1500]);
    assert.equal(provider.movements.filter((m) => m.kind === 'hold').length, 1, 'the same hold, asked twice');
  });

  it('a visit let go while its hold was unanswered releases that hold', async () => {
    const provider = new TestPaymentProvider();
    const ledger = new MemoryCheckoutLedger();
    await payments(ledger, provider).preauthorize(visit, 5000);
    // As if the process died between the provider's hold and our record of it.
    await ledger.putPayment({ ...(await ledger.payment('door@1'))!, status: 'holding', holdRef: null });
    const released = await payments(ledger, provider).release('door@1');
    assert.ok(released.ok);
    assert.equal(provider.heldFor('door@1'), 0);
  });

  it('the refunded total follows the refund records, mended after a crash between the two writes', async () => {
    const provider = new TestPaymentProvider();
    const ledger = new MemoryCheckoutLedger();
    const p = payments(ledger, provider);
    await p.capture(visit, 1699);
    assert.ok((await p.refund('door@1', 'WATER', 199)).ok);
    // The refund record is written, the payment's total is not (the process died in between).
    await ledger.putPayment({ ...(await ledger.payment('door@1'))!, refunded: 0 });
    const again = await p.refund('door@1', 'WATER', 199);
    assert.equal(!again.ok && again.code, 'ALREADY_REFUNDED');
    assert.equal((await ledger.payment('door@1'))?.refunded, 199);
    const tooMuch = await p.refund('door@1', 'WINE', 1501);
    assert.equal(!tooMuch.ok && tooMuch.code, 'REFUND_TOO_LARGE', 'the cap counts the mended total');
  });

  it('stops resending a capture with no answer after a day, before the provider forgets its key, and says why', async () => {
    const provider = new TestPaymentProvider();
    let now = 1_000;
    let sends = 0;
    const silent: PaymentProvider = {
      name: 'test',
      hold: (r) => provider.hold(r),
      refund: (r) => provider.refund(r),
      release: (r) => provider.release(r),
      capture: async () => {
        sends += 1;
        return { ok: false, code: 'PROVIDER_ERROR', reason: 'socket hang up' };
      },
    };
    const ledger = new MemoryCheckoutLedger();
    const p = new Payments({ ledger, provider: silent, tokenOf: () => TEST_CARDS.ok, clock: () => now });
    await p.capture(visit, 250);
    now += RESEND_WITHIN_MS - 1;
    await p.resume();
    assert.deepEqual([sends, (await ledger.payment('door@1'))?.reason], [2, null], 'still resent within the day');
    now += 2;
    assert.deepEqual(await p.resume(), { resent: 1, declined: [], recharged: [] });
    const record = await ledger.payment('door@1');
    assert.deepEqual([record?.status, record?.reason], ['capturing', NO_ANSWER]);
    const again = await p.capture(visit, 250); // the exit flow settling an unmailed receipt asks the same way
    assert.equal(!again.ok && again.reason, NO_ANSWER);
    assert.equal(sends, 2, 'not sent again');
  });
});
