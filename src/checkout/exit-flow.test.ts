/**
 * The exit flow against a real SMTP server on localhost: a final receipt is charged once and mailed once (even when
 * the event is replayed), a declined card keeps the visit flagged and says so, entry places a hold, and a restart
 * finishes a receipt that was recorded but not mailed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtp, type TestSmtp } from '../../test/helpers/smtp.ts';
import type { EngineEvent } from '../engine/events.ts';
import { createSmtpMailer, type Mailer } from './email.ts';
import { createExitFlow } from './exit-flow.ts';
import { Disputes } from './payments/disputes.ts';
import { MemoryCheckoutLedger } from './payments/ledger.ts';
import { Payments } from './payments/payments.ts';
import { losingAnswers, TEST_CARDS, TestPaymentProvider } from './payments/test-provider.ts';
import type { PaymentProvider } from './payments/types.ts';
import type { Receipt } from './types.ts';

let smtp: TestSmtp;
before(async () => {
  smtp = await startSmtp();
});
after(() => smtp.close());

const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);

const receipt = (visit: string, account: string): Receipt => ({
  visit,
  account,
  lines: [
    { sku: 'WATER', name: 'Water 0.5 L', qty: 2, unitPrice: 199 },
    { sku: 'CHOC', name: 'Chocolate <dark>', qty: 1, unitPrice: 250 },
  ],
  total: 648,
  currency: 'USD',
  status: 'final',
  entered: T0,
  exited: T0 + 300_000,
  finalAt: T0 + 303_000,
});

/** A provider whose captures take a moment, as a real one's do. */
class SlowCaptures extends TestPaymentProvider {
  override async capture(req: Parameters<TestPaymentProvider['capture']>[0]) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return super.capture(req);
  }
}

function setup<P extends PaymentProvider = TestPaymentProvider>(
  cards: Record<string, string>,
  provider: P = new TestPaymentProvider() as PaymentProvider as P,
) {
  const listeners = new Set<(e: EngineEvent) => void>();
  const events = {
    subscribe(fn: (e: EngineEvent) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(e: EngineEvent): void {
      for (const fn of listeners) fn(e);
    },
  };
  const ledger = new MemoryCheckoutLedger();
  const payments = new Payments({ ledger, provider, tokenOf: (a) => cards[a] ?? null });
  const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, from: 'receipts@shop.test' });
  const flow = (
    l = ledger,
    p = new Payments({ ledger: l, provider, tokenOf: (a) => cards[a] ?? null }),
    more: { mailer?: Mailer; retryEveryMs?: number } = {},
  ) =>
    createExitFlow({
      events,
      payments: p,
      disputes: new Disputes({ ledger: l, payments: p, autoRefundLimit: 0 }),
      ledger: l,
      mailer: more.mailer ?? mailer,
      ...(more.retryEveryMs ? { retryEveryMs: more.retryEveryMs } : {}),
      emailOf: async (a) => `${a}@example.test`,
      holdFor: () => 5000,
      store: { name: 'Corner Shop', currency: 'USD', taxRate: 0.2, timeZone: 'UTC' },
      appUrl: 'https://shop.test/app',
      clock: () => T0 + 305_000,
      log: { warn: (details: object, message: string) => warnings.push(`${message} ${JSON.stringify(details)}`) },
    });
  const warnings: string[] = [];
  return { events, ledger, provider, payments, mailer, flow, warnings };
}

/** A mailer whose server is down until `up()`. */
function mailServerDown(mailer: Mailer): { mailer: Mailer; up(): void } {
  let down = true;
  return {
    mailer: {
      send: async (message) => {
        if (down) throw new Error('mail server down');
        await mailer.send(message);
      },
    },
    up: () => {
      down = false;
    },
  };
}

describe('exit flow', () => {
  it('charges once and mails once, with lines, total, tax, times and a dispute link', async () => {
    const { events, provider, flow, mailer } = setup({ ann: TEST_CARDS.ok });
    const exit = flow();
    await exit.start();
    const final: EngineEvent = { type: 'receipt.final', t: T0 + 303_000, data: receipt('door@1', 'ann') };
    events.emit(final);
    await exit.idle();
    events.emit(final); // replayed
    await exit.idle();
    exit.stop();
    mailer.close();

    assert.equal(provider.capturedFor('door@1'), 648);
    assert.equal(provider.movements.filter((m) => m.kind === 'capture').length, 1);
    const mails = smtp.messages.filter((m) => m.to.includes('ann@example.test'));
    assert.equal(mails.length, 1);
    const mail = mails[0]!;
    assert.match(mail.subject, /Corner Shop: \$6\.48/);
    assert.match(mail.text, /2 × Water 0\.5 L @ \$1\.99 {2}\$3\.98/);
    assert.match(mail.text, /Total: \$6\.48/);
    assert.match(mail.text, /Includes tax \(20\.0 %\): \$1\.08/);
    assert.match(mail.text, /In: {2}1 Jun 2025, 09:00:00/);
    assert.match(mail.text, /Out: 1 Jun 2025, 09:05:00/);
    assert.match(mail.text, /https:\/\/shop\.test\/app\/#receipt\/door%401/);
    assert.match(mail.html, /Chocolate &lt;dark&gt;/);
    assert.doesNotMatch(mail.html, /<dark>/);
    assert.deepEqual(exit.exitToEmailMs(), [5_000]);
  });

  it('refunds an item found on the floor after the receipt was final, once its capture is done, and only once', async () => {
    const { events, provider, flow, mailer, warnings } = setup({ eve: TEST_CARDS.ok }, new SlowCaptures());
    const exit = flow();
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0 + 303_000, data: receipt('door@6', 'eve') });
    const found: EngineEvent = {
      type: 'item.found',
      t: T0 + 400_000,
      data: {
        foundId: 'found-h1-1',
        handheldId: 'h1',
        sku: 'WATER',
        at: [1, 1],
        t: T0 + 400_000,
        sessionId: 'door@6',
        confidence: 0.95,
        candidates: [{ sessionId: 'door@6', distanceM: 0.3, probability: 0.95 }],
        afterFinal: true,
      },
    };
    events.emit(found); // while the capture is still in flight
    await exit.idle();
    assert.equal(provider.capturedFor('door@6'), 648 - 199);
    events.emit(found); // replayed
    // The start-up catch-up hands the same find in again and learns when it is done.
    if (found.type === 'item.found') assert.equal(await exit.refundFound(found.data), true);
    // A find on a visit this flow never charged (a demo shopper): nothing to refund, nothing to warn about.
    events.emit({ ...found, data: { ...found.data, foundId: 'found-h1-2', sessionId: 'door@99' } });
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.equal(provider.capturedFor('door@6'), 648 - 199);
    assert.equal(provider.movements.filter((m) => m.kind === 'refund').length, 1);
    assert.deepEqual(warnings, []);
  });

  it('keeps a declined visit flagged and tells the shopper', async () => {
    const { events, ledger, flow, mailer } = setup({ bob: TEST_CARDS.declinedAtCapture });
    const exit = flow();
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@2', 'bob') });
    await exit.idle();
    exit.stop();
    mailer.close();
    const flagged = await ledger.declined();
    assert.deepEqual(
      flagged.map((p) => [p.visit, p.amount]),
      [['door@2', 648]],
    );
    assert.equal((await ledger.receipt('door@2'))?.receipt.total, 648, 'the receipt is kept');
    const mail = await smtp.waitFor((m) => m.to.includes('bob@example.test'));
    assert.match(mail.text, /card was declined/);
  });

  it('charges a declined visit again once the shopper sets a new card, mails that it is paid, and only once', async () => {
    const cards: Record<string, string> = { dee: TEST_CARDS.declinedAtCapture };
    const { events, ledger, provider, flow, mailer } = setup(cards);
    const exit = flow();
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@12', 'dee') });
    await exit.idle();
    assert.match((await smtp.waitFor((m) => m.to.includes('dee@example.test'))).text, /card was declined/);
    assert.equal(await exit.retryDeclined('dee'), true);
    assert.equal(provider.capturedFor('door@12'), 0, 'the same declining card is refused again');
    cards.dee = TEST_CARDS.ok;
    assert.equal(await exit.retryDeclined('somebody-else'), true);
    assert.equal(provider.capturedFor('door@12'), 0, "another shopper's card changes nothing here");
    assert.equal(await exit.retryDeclined('dee'), true);
    assert.equal(await exit.retryDeclined('dee'), true);
    exit.stop();
    mailer.close();
    assert.equal(provider.capturedFor('door@12'), 648);
    assert.equal((await ledger.payment('door@12'))?.status, 'captured');
    const paid = await smtp.waitFor((m) => m.to.includes('dee@example.test') && /Charged to your card/.test(m.text));
    assert.match(paid.text, /Charged to your card: \$6\.48/);
    assert.equal(smtp.messages.filter((m) => m.to.includes('dee@example.test')).length, 2, 'declined, then paid');
  });

  it('mails a re-charge as paid when its answer was lost and the retry loop records it', async () => {
    const provider = new TestPaymentProvider();
    const losing = losingAnswers(provider);
    const cards: Record<string, string> = { ida: TEST_CARDS.declinedAtCapture };
    const { events, flow, mailer } = setup(cards, losing.provider);
    const exit = flow(undefined, undefined, { retryEveryMs: 20 });
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@14', 'ida') });
    const mine = (m: { to: string[] }) => m.to.includes('ida@example.test');
    assert.match((await smtp.waitFor(mine)).text, /card was declined/);
    cards.ida = TEST_CARDS.ok;
    losing.lose.add('capture');
    await exit.retryDeclined('ida');
    const paid = await smtp.waitFor((m) => mine(m) && /Charged to your card/.test(m.text));
    assert.match(paid.text, /\$6\.48/);
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.equal(provider.capturedFor('door@14'), 648);
    assert.equal(smtp.messages.filter(mine).length, 2, 'declined, then paid');
  });

  it('tells the shopper when a charge said to be on its way is declined on its resend', async () => {
    // The first capture gets no answer (a timeout); its resend gets the answer: a card that declines at exit.
    const { provider: flaky, lose } = losingAnswers(new TestPaymentProvider());
    lose.add('capture');
    const { events, ledger, flow, mailer } = setup({ gus: TEST_CARDS.declinedAtCapture }, flaky);
    const exit = flow(ledger, undefined, { retryEveryMs: 20 });
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@13', 'gus') });
    const mine = (m: { to: string[] }) => m.to.includes('gus@example.test');
    assert.match((await smtp.waitFor(mine)).text, /on its way/);
    const declined = await smtp.waitFor((m) => mine(m) && /card was declined/.test(m.text));
    assert.match(declined.text, /update your card/);
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.deepEqual(
      (await ledger.declined()).map((p) => p.visit),
      ['door@13'],
    );
    assert.equal(smtp.messages.filter(mine).length, 2, 'on its way, then declined: once each');
  });

  it('mails a receipt again while running after the mail server failed, and only once', async () => {
    const { events, ledger, flow, mailer } = setup({ fay: TEST_CARDS.ok });
    const flaky = mailServerDown(mailer);
    const exit = flow(ledger, undefined, { mailer: flaky.mailer, retryEveryMs: 20 });
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@7', 'fay') });
    await exit.idle();
    assert.match((await ledger.receipt('door@7'))?.emailError ?? '', /mail server down/);
    flaky.up();
    const mail = await smtp.waitFor((m) => m.to.includes('fay@example.test'));
    assert.match(mail.text, /Corner Shop/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.notEqual((await ledger.receipt('door@7'))?.emailedAt, null);
    assert.equal(smtp.messages.filter((m) => m.to.includes('fay@example.test')).length, 1, 'sent once');
  });

  it('mails a declined receipt again after a mail failure, without trying the card again', async () => {
    const { events, ledger, provider, flow, mailer } = setup({ hal: TEST_CARDS.declinedAtCapture });
    const flaky = mailServerDown(mailer);
    const exit = flow(ledger, undefined, { mailer: flaky.mailer, retryEveryMs: 10 });
    await exit.start();
    events.emit({ type: 'receipt.final', t: T0, data: receipt('door@9', 'hal') });
    await exit.idle();
    const asked = provider.requests;
    await new Promise((resolve) => setTimeout(resolve, 100));
    flaky.up();
    const mail = await smtp.waitFor((m) => m.to.includes('hal@example.test'));
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.match(mail.text, /card was declined/);
    assert.equal(provider.requests, asked, 'the retries only mailed');
    assert.equal((await ledger.payment('door@9'))?.attempts, 1);
  });

  it('stops retrying when stopped during its start', async () => {
    const { ledger, flow, mailer } = setup({ ivy: TEST_CARDS.ok });
    const unsent = ledger.unsent.bind(ledger);
    let rounds = 0;
    ledger.unsent = async () => {
      rounds += 1;
      return unsent();
    };
    const exit = flow(ledger, undefined, { retryEveryMs: 10 });
    const starting = exit.start();
    exit.stop();
    await starting;
    await new Promise((resolve) => setTimeout(resolve, 60));
    mailer.close();
    assert.equal(rounds, 1, 'the start looked once; no timer was left behind');
  });

  it('releases the hold of a party that scanned and never came in', async () => {
    const { events, ledger, provider, flow, mailer } = setup({ gus: TEST_CARDS.ok });
    const exit = flow();
    await exit.start();
    const session = { account: 'gus', partySize: 1, gateId: 'door', opened: T0, state: 'admitted' as const };
    events.emit({
      type: 'session.opened',
      t: T0,
      data: { ...session, sessionId: 'door@8', trackIds: [], staff: false },
    });
    await exit.idle();
    assert.equal(provider.heldFor('door@8'), 5000);
    events.emit({ type: 'session.closed', t: T0 + 60_000, data: { sessionId: 'door@8', reason: 'timeout' } });
    await exit.idle();
    assert.equal(provider.heldFor('door@8'), 0);
    assert.equal((await ledger.payment('door@8'))?.status, 'open');
    // The start-up catch-up hands the same timeout over again (it was never announced live after a crash).
    assert.equal(await exit.releaseHold('door@8'), true, 'nothing held any more: nothing to do');
    events.emit({
      type: 'session.opened',
      t: T0,
      data: { ...session, sessionId: 'door@9', trackIds: [], staff: false },
    });
    await exit.idle();
    assert.equal(await exit.releaseHold('door@9'), true);
    exit.stop();
    mailer.close();
    assert.equal(provider.heldFor('door@9'), 0, 'a timeout read from the log lets go of its hold');
  });

  it('places a hold at entry for shoppers, not staff', async () => {
    const { events, ledger, flow, mailer } = setup({ cat: TEST_CARDS.ok });
    const exit = flow();
    await exit.start();
    const session = {
      account: 'cat',
      partySize: 1,
      gateId: 'door',
      opened: T0,
      state: 'admitted' as const,
      trackIds: [],
    };
    events.emit({ type: 'session.opened', t: T0, data: { ...session, sessionId: 'door@3', staff: false } });
    events.emit({ type: 'session.opened', t: T0, data: { ...session, sessionId: 'door@4', staff: true } });
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.deepEqual(
      [(await ledger.payment('door@3'))?.status, (await ledger.payment('door@3'))?.heldAmount],
      ['held', 5000],
    );
    assert.equal(await ledger.payment('door@4'), null);
  });

  it('finishes at start a receipt recorded but not mailed before a restart', async () => {
    const { ledger, provider, flow, mailer } = setup({ dan: TEST_CARDS.ok });
    await ledger.putReceipt({ receipt: receipt('door@5', 'dan'), emailedAt: null, emailError: null });
    const exit = flow();
    await exit.start();
    await exit.idle();
    exit.stop();
    mailer.close();
    assert.equal(provider.capturedFor('door@5'), 648);
    assert.notEqual((await ledger.receipt('door@5'))?.emailedAt, null);
    await smtp.waitFor((m) => m.to.includes('dan@example.test'));
  });
});
