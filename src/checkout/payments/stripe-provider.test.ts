/**
 * The Stripe provider through the official SDK against a local stand-in (stripe-stateful-mock on localhost): hold
 * then capture, a direct charge, idempotent retries, declines, refunds; and Payments over it captures once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryCheckoutLedger } from './ledger.ts';
import { Payments } from './payments.ts';
import { createStripeProvider } from './stripe-provider.ts';
import { type StripeStandIn, startStripeStandIn } from './stripe-standin.ts';
import { losingAnswers } from './test-provider.ts';
import type { PaymentProvider } from './types.ts';

let standIn: StripeStandIn;
let stripe: PaymentProvider;

before(async () => {
  standIn = await startStripeStandIn();
  stripe = createStripeProvider({
    apiKey: standIn.apiKey,
    host: '127.0.0.1',
    port: standIn.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
});
after(() => standIn.close());

const base = { currency: 'USD', visit: 'door@1' };

/** A capture with no hold behind it: Stripe charges the card directly. */
const directCharge = (token: string, amount: number, idempotencyKey: string) =>
  stripe.capture({ ...base, token, amount, holdRef: null, heldAmount: 0, idempotencyKey });

describe('Stripe provider (local stand-in)', () => {
  it('captures part of a hold, and the same key returns the same charge', async () => {
    const hold = await stripe.hold({ ...base, token: 'tok_visa', amount: 5000, idempotencyKey: 'hold:a' });
    assert.ok(hold.ok);
    const req = {
      ...base,
      token: 'tok_visa',
      amount: 1234,
      holdRef: hold.ref,
      heldAmount: 5000,
      idempotencyKey: 'capture:a',
    };
    const first = await stripe.capture(req);
    const again = await stripe.capture(req);
    assert.ok(first.ok && again.ok);
    assert.equal(first.ref, hold.ref, 'captured the held charge');
    assert.equal(again.ref, first.ref);
  });

  it('charges directly when there is no hold or the total outgrew it', async () => {
    const direct = await directCharge('tok_visa', 999, 'capture:b');
    assert.ok(direct.ok);
    assert.match(direct.ref, /^ch_/);
    const repeat = await directCharge('tok_visa', 999, 'capture:b');
    assert.ok(repeat.ok);
    assert.equal(repeat.ref, direct.ref, 'Stripe dedups by our idempotency key');
  });

  it('releases a hold, once per key, and a released hold cannot be captured', async () => {
    const hold = await stripe.hold({ ...base, token: 'tok_visa', amount: 5000, idempotencyKey: 'hold:r' });
    assert.ok(hold.ok);
    const released = await stripe.release({ holdRef: hold.ref, idempotencyKey: 'release:r' });
    const again = await stripe.release({ holdRef: hold.ref, idempotencyKey: 'release:r' });
    assert.ok(released.ok && again.ok);
    assert.equal(again.ref, released.ref);
    const req = { ...base, token: 'tok_visa', amount: 100, holdRef: hold.ref, heldAmount: 5000 };
    assert.equal((await stripe.capture({ ...req, idempotencyKey: 'capture:r' })).ok, false);
  });

  it('reports a declined card as DECLINED', async () => {
    const r = await directCharge('tok_chargeDeclined', 500, 'capture:c');
    assert.equal(!r.ok && r.code, 'DECLINED');
  });

  it('refunds against the charge, not more than it', async () => {
    const c = await directCharge('tok_visa', 500, 'capture:d');
    assert.ok(c.ok);
    const r = await stripe.refund({ chargeRef: c.ref, amount: 200, idempotencyKey: 'refund:d:MILK' });
    assert.ok(r.ok);
    assert.match(r.ref, /^re_/);
    const tooMuch = await stripe.refund({ chargeRef: c.ref, amount: 400, idempotencyKey: 'refund:d:BREAD' });
    assert.equal(tooMuch.ok, false);
  });

  it('runs Payments end to end: one capture per visit', async () => {
    const ledger = new MemoryCheckoutLedger();
    const p = new Payments({ ledger, provider: stripe, tokenOf: () => 'tok_visa' });
    const v = { visit: 'door@99', account: 'ann', currency: 'USD' };
    assert.ok((await p.preauthorize(v, 3000)).ok);
    const first = await p.capture(v, 2100);
    const second = await p.capture(v, 2100);
    assert.ok(first.ok && second.ok);
    assert.deepEqual([first.value.charged, second.value.charged], [2100, 0]);
    assert.equal((await ledger.payment('door@99'))?.provider, 'stripe');
  });

  it('a capture or hold resent after its answer was lost sends the card it was asked with, though the card changed', async () => {
    // The first answer of each kind is lost: the provider acted, we do not know it.
    const { provider: losing, lose } = losingAnswers(stripe);
    lose.add('hold').add('capture');
    const cards: Record<string, string> = { ann: 'tok_visa' };
    const ledger = new MemoryCheckoutLedger();
    const payments = new Payments({ ledger, provider: losing, tokenOf: (a) => cards[a] ?? null });
    const visit = { visit: 'door@card', account: 'ann', currency: 'USD' };
    assert.equal((await payments.preauthorize(visit, 5000)).ok, false);
    cards.ann = 'tok_mastercard'; // the shopper changes card inside
    // The capture first asks again for the lost hold (same key, same card: Stripe answers with that hold) and takes
    // the total from it, losing that answer too; the resend must send the same card again.
    assert.equal((await payments.capture(visit, 1500)).ok, false);
    cards.ann = 'tok_amex';
    assert.deepEqual(await payments.resume(), { resent: 1, declined: [], recharged: [] });
    const record = await ledger.payment('door@card');
    assert.deepEqual([record?.status, record?.captured, record?.reason], ['captured', 1500, null]);
    const again = await stripe.capture({
      ...base,
      visit: 'door@card',
      token: null,
      amount: 1500,
      holdRef: record!.holdRef,
      heldAmount: 5000,
      idempotencyKey: record!.idempotencyKey!,
    });
    assert.ok(again.ok && again.ref === record?.chargeRef, 'one charge: the hold placed at entry, captured');
  });
});
