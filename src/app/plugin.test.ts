/**
 * The shopper app plugin over HTTP and WebSocket: pages and PWA files, sign-up/in with rate limiting, the card as
 * a token, entry codes the gate accepts, and the one rule that matters most: a shopper sees only their own carts
 * and receipts (another's → 404), live updates included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { Disputes } from '../checkout/payments/disputes.ts';
import { MemoryCheckoutLedger } from '../checkout/payments/ledger.ts';
import { Payments } from '../checkout/payments/payments.ts';
import { TestPaymentProvider } from '../checkout/payments/test-provider.ts';
import type { EngineEvent } from '../engine/events.ts';
import { AccountsService } from '../identity/accounts.ts';
import { MemoryAccountStore } from '../identity/accounts-store.ts';
import { EntryCodes, entrySecret } from '../identity/entry-qr.ts';
import { createQrAuthorizer } from '../identity/qr-authorizer.ts';
import { tinyStore } from '../store/tiny-store.ts';
import { appPlugin } from './plugin.ts';

const secret = entrySecret('plugin-test-secret-0123456789abcdef');
const listeners = new Set<(e: EngineEvent) => void>();
const emit = (e: EngineEvent): void => {
  for (const fn of listeners) fn(e);
};
let app: FastifyInstance;
let accounts: AccountsService;
let ledger: MemoryCheckoutLedger;
let base = '';
/** Accounts that set a card, as the exit flow is told (to charge their declined visits again). */
const cardsSet: string[] = [];

before(async () => {
  accounts = await AccountsService.open({ store: new MemoryAccountStore(), scrypt: { N: 1024, r: 8, p: 1 } });
  ledger = new MemoryCheckoutLedger();
  const payments = new Payments({
    ledger,
    provider: new TestPaymentProvider(),
    tokenOf: (a) => accounts.paymentTokenOf(a),
  });
  app = Fastify();
  await appPlugin(app, {
    accounts,
    entryCodes: new EntryCodes({ secret }),
    events: {
      subscribe(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    store: tinyStore(),
    ledger,
    disputes: new Disputes({ ledger, payments, autoRefundLimit: 500 }),
    testCards: [{ token: 'tok_visa', label: 'Visa test card' }],
    signInLimit: { perAddress: 100, perEmail: 3, windowMs: 60_000 },
    onCardSet: (account) => cardsSet.push(account),
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => app.close());

async function signUp(email: string): Promise<{ cookie: string; id: string }> {
  const r = await app.inject({ method: 'POST', url: '/api/app/signup', payload: { email, password: 'password-1' } });
  assert.equal(r.statusCode, 201, r.body);
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return { cookie, id: r.json().account.id };
}

const get = (url: string, cookie: string) => app.inject({ method: 'GET', url, headers: { cookie } });

describe('shopper app plugin', () => {
  it('serves the PWA: page, manifest, service worker, with a strict CSP', async () => {
    const page = await app.inject('/app/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<link rel="manifest" href="\/app\/manifest.webmanifest">/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    const manifest = await app.inject('/app/manifest.webmanifest');
    assert.equal(manifest.json().start_url, '/app/');
    const sw = await app.inject('/app/sw.js');
    assert.match(String(sw.headers['content-type']), /javascript/);
    assert.equal((await app.inject('/app/../plugin.ts')).statusCode, 404);
    assert.equal((await app.inject('/app')).statusCode, 302);
  });

  it('signs up with an HttpOnly cookie, refuses wrong passwords, and limits sign-in attempts', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/app/signup',
      payload: { email: 'eve@example.test', password: 'password-1' },
    });
    assert.match(String(r.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await app.inject({ method: 'GET', url: '/api/app/me' })).statusCode, 401);
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/app/signin',
        payload: { email: 'eve@example.test', password: 'wrong-one' },
      });
    assert.deepEqual([(await attempt()).statusCode, (await attempt()).statusCode], [401, 401]);
    const limited = await attempt();
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });

  it('stores a card token, refuses a card number, and issues codes the gate accepts', async () => {
    const ann = await signUp('ann@example.test');
    const number = await app.inject({
      method: 'PUT',
      url: '/api/app/card',
      headers: { cookie: ann.cookie },
      payload: { token: '4242424242424242' },
    });
    assert.equal(number.statusCode, 400);
    assert.deepEqual(cardsSet, [], 'a refused card tells nobody');
    const card = await app.inject({
      method: 'PUT',
      url: '/api/app/card',
      headers: { cookie: ann.cookie },
      payload: { token: 'tok_visa' },
    });
    assert.equal(card.json().account.paymentMethod.label, 'Visa test card');
    assert.deepEqual(cardsSet, [ann.id]);
    const issued = await app.inject({
      method: 'POST',
      url: '/api/app/entry-code',
      headers: { cookie: ann.cookie },
      payload: { partySize: 3 },
    });
    const body = issued.json();
    assert.match(body.image, /^data:image\/svg\+xml;base64,/);
    assert.match(Buffer.from(body.image.split(',')[1], 'base64').toString(), /<svg/);
    const gate = createQrAuthorizer({ secret, standing: (a) => accounts.standing(a) });
    assert.deepEqual(gate.authorize(body.code, body.issuedAt + 1_000), {
      ok: true,
      account: ann.id,
      partySize: 3,
      staff: false,
    });
    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/app/entry-code',
      headers: { cookie: ann.cookie },
      payload: { partySize: 11 },
    });
    assert.equal(tooMany.statusCode, 400);
  });

  it("shows a shopper their own cart and refuses another shopper's cart and receipt", async () => {
    const ann = await signUp('ann2@example.test');
    const bob = await signUp('bob2@example.test');
    const session = {
      sessionId: 'door@100',
      account: ann.id,
      partySize: 1,
      gateId: 'door',
      opened: 100,
      state: 'admitted' as const,
      trackIds: [],
      staff: false,
    };
    emit({ type: 'session.opened', t: 100, data: session });
    emit({
      type: 'cart.line',
      t: 200,
      data: {
        lineId: 'l1',
        sessionId: 'door@100',
        kind: 'add',
        sku: 'WATER',
        qty: 2,
        unitPrice: 199,
        evidence: {},
        confidence: 1,
        t: 200,
      },
    });
    const mine = await get('/api/app/carts/door%40100', ann.cookie);
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(mine.json().cart.lines, [
      { sku: 'WATER', name: 'Water 0.5 L', qty: 2, unitPrice: 199, amount: 398 },
    ]);
    assert.equal((await get('/api/app/carts/door%40100', bob.cookie)).statusCode, 404);
    assert.deepEqual((await get('/api/app/carts', bob.cookie)).json().carts, []);

    const receipt = {
      visit: 'door@100',
      account: ann.id,
      lines: [{ sku: 'WATER', name: 'Water 0.5 L', qty: 2, unitPrice: 199 }],
      total: 398,
      currency: 'USD',
      status: 'final' as const,
      entered: 100,
      exited: 300,
      finalAt: 400,
    };
    await ledger.putReceipt({ receipt, emailedAt: null, emailError: null });
    assert.equal((await get('/api/app/receipts/door%40100', ann.cookie)).json().receipt.total, 398);
    assert.equal((await get('/api/app/receipts/door%40100', bob.cookie)).statusCode, 404);
    assert.deepEqual((await get('/api/app/receipts', bob.cookie)).json().receipts, []);
    const steal = await app.inject({
      method: 'POST',
      url: '/api/app/receipts/door%40100/disputes',
      headers: { cookie: bob.cookie },
      payload: { sku: 'WATER' },
    });
    assert.equal(steal.statusCode, 404);
  });

  it('pushes cart changes over the WebSocket to the owner only, and refuses a signed-out socket', async () => {
    const ann = await signUp('ann3@example.test');
    const bob = await signUp('bob3@example.test');
    const url = `${base.replace('http', 'ws')}/api/app/live`;
    const open = (cookie?: string) => {
      const ws = new WebSocket(url, cookie ? { headers: { cookie } } : {});
      const messages: { type: string; carts: { total: number }[] }[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      return { ws, messages };
    };
    const a = open(ann.cookie);
    const b = open(bob.cookie);
    await Promise.all([a, b].map((s) => new Promise((resolve) => s.ws.once('open', resolve))));
    await until(() => a.messages.length > 0 && b.messages.length > 0);
    const session = {
      sessionId: 'door@500',
      account: ann.id,
      partySize: 1,
      gateId: 'door',
      opened: 500,
      state: 'admitted' as const,
      trackIds: [],
      staff: false,
    };
    emit({ type: 'session.opened', t: 500, data: session });
    emit({
      type: 'cart.line',
      t: 600,
      data: {
        lineId: 'x1',
        sessionId: 'door@500',
        kind: 'add',
        sku: 'WATER',
        qty: 1,
        unitPrice: 199,
        evidence: {},
        confidence: 1,
        t: 600,
      },
    });
    await until(() => a.messages.at(-1)?.carts[0]?.total === 199);
    assert.equal(b.messages.length, 1, 'bob saw only his own (empty) carts');
    const stranger = open();
    const code = await new Promise((resolve) => stranger.ws.once('close', resolve));
    assert.equal(code, 4401);
    a.ws.close();
    b.ws.close();
  });
});

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
