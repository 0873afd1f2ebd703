/**
 * The shopper journey end to end, with real parts: SQLite accounts and checkout ledger, a real SMTP server on
 * localhost, the real engine (createEngine with the signed-QR authorizer) fed hand-made device messages, the
 * shopper app over HTTP/WebSocket, and (when /usr/bin/chromium exists) a headless Chromium that signs up, adds a
 * card, shows the QR, watches the live cart change and disputes a line. Also: expired, replayed, forged codes, no
 * card, blocked, a declined capture, disputes under and over the limit, and another shopper's cart refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createShopperJourney, type ShopperJourney } from '../src/app/journey.ts';
import { createSmtpMailer } from '../src/checkout/email.ts';
import { TestPaymentProvider } from '../src/checkout/payments/test-provider.ts';
import type { DisputeRecord } from '../src/checkout/payments/types.ts';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent } from '../src/engine/events.ts';
import { topicFor } from '../src/protocol/topics.ts';
import { parseStore } from '../src/store/load-store.ts';
import type { Store } from '../src/store/store.ts';
import { tinyStoreDef } from '../src/store/tiny-store.ts';
import { byException } from '../src/weight/synthetic.ts';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

const dir = mkdtempSync(join(tmpdir(), 'walkout-journey-'));
let smtp: TestSmtp;
let app: FastifyInstance;
let h: Harness;
let base = '';

before(async () => {
  smtp = await startSmtp();
  app = Fastify();
  h = await createHarness(dir, smtp.port, app);
  await h.journey.mount(app, () => h.snapshot());
  await h.journey.start();
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

after(async () => {
  await app.close();
  await h.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shopper journey', () => {
  it('in a real browser: sign up, card, QR, live cart, exit, receipt email, one capture, dispute', {
    skip: browserSkipReason(),
  }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/app/`);
      await page.fill('#email', 'walker@example.test');
      await page.fill('#password', 'long-password-1');
      await page.click('#sign-up');
      await page.waitForSelector('#home:not([hidden])');
      await page.click('[data-token="tok_visa"]');
      await page.waitForFunction(() => document.getElementById('card-status')?.textContent?.includes('Visa test card'));
      await page.click('#party-plus');
      await page.waitForSelector('#qr[data-party-size="2"]:not([hidden])');
      const code = (await page.getAttribute('#qr', 'data-entry-code')) ?? '';
      assert.match(code, /^wk1\./);
      assert.match((await page.getAttribute('#qr', 'src')) ?? '', /^data:image\/svg\+xml;base64,/);

      const visit = h.startVisit(code, 2);
      const account = await h.journey.accounts.signIn('walker@example.test', 'long-password-1');
      assert.ok(account.ok);

      const totals: string[] = [];
      visit.feedUntil(13_500);
      assert.deepEqual(h.gateCommands(visit.sessionId), [{ action: 'open', admit: 2, reason: 'OK' }]);
      totals.push(await waitForTotal(page, '199'));
      visit.feedUntil(19_500);
      totals.push(await waitForTotal(page, '398'));
      assert.deepEqual(totals, ['199', '398']);
      assert.equal(await page.textContent('#cart-lines li[data-sku="WATER"]'), '2 × Water 0.5 L$3.98');
      visit.feedUntil(Number.POSITIVE_INFINITY);

      const mail = await smtp.waitFor((m) => m.to.includes('walker@example.test'));
      assert.match(mail.text, /2 × Water 0\.5 L @ \$1\.99 {2}\$3\.98/);
      assert.match(mail.text, /Total: \$3\.98/);
      assert.ok(mail.html.includes(`<a href="https://shop.test/app/#receipt/${encodeURIComponent(visit.sessionId)}">`));
      await h.journey.exitFlow.idle();
      assert.equal(h.provider.capturedFor(visit.sessionId), 398);
      const again = await h.journey.payments.capture(
        { visit: visit.sessionId, account: account.value.account.id, currency: 'USD' },
        398,
      );
      assert.ok(again.ok);
      assert.equal(again.value.charged, 0, 'a second capture charges nothing');
      assert.equal(h.provider.capturedFor(visit.sessionId), 398);
      assert.ok(h.journey.exitFlow.exitToEmailMs().length > 0);

      await page.goto(`${base}/app/#receipt/${encodeURIComponent(visit.sessionId)}`);
      await page.click('[data-dispute="WATER"]');
      await page.waitForSelector('#dispute-result[data-done="true"]');
      // $3.98 is over the store's $3.00 limit: staff decide, nothing is refunded yet.
      assert.equal(await page.textContent('#dispute-result'), 'Thanks: staff will look at it.');
      assert.deepEqual(
        h.reviews.map((d) => [d.visit, d.amount]),
        [[visit.sessionId, 398]],
      );
      assert.equal(h.provider.capturedFor(visit.sessionId), 398);
      const approved = await h.journey.disputes.decide(h.reviews[0]!.disputeId, true, 'sam');
      assert.ok(approved.ok);
      assert.equal(h.provider.capturedFor(visit.sessionId), 0);
    } finally {
      await browser.close();
    }
  });

  it('denies expired, replayed and forged codes, no card, and a blocked account', async () => {
    const ann = await h.shopper('ann@example.test', 'tok_visa');
    const noCard = await h.shopper('nocard@example.test', null);
    const code = await h.entryCode(ann.cookie, 1);
    assert.equal(h.scan(code.code, code.issuedAt + 31_000), 'QR_EXPIRED');
    const fresh = await h.entryCode(ann.cookie, 1);
    const [v, body, sig] = fresh.code.split('.') as [string, string, string];
    const party9 = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), n: 9 }),
    ).toString('base64url');
    assert.equal(h.scan(`${v}.${party9}.${sig}`, fresh.issuedAt + 500), 'QR_INVALID');
    assert.equal(h.scan(fresh.code, fresh.issuedAt + 1_000), 'OK');
    assert.equal(h.scan(fresh.code, fresh.issuedAt + 2_000), 'QR_REPLAYED');
    const none = await h.entryCode(noCard.cookie, 1);
    assert.equal(none.ready, false);
    assert.equal(h.scan(none.code, none.issuedAt + 500), 'NO_PAYMENT_METHOD');
    await h.journey.accounts.setBlocked(ann.id, true);
    const blocked = await h.entryCode(ann.cookie, 1);
    assert.equal(h.scan(blocked.code, blocked.issuedAt + 500), 'ACCOUNT_BLOCKED');
  });

  it('keeps a visit whose capture is declined, flagged, and mails the shopper', async () => {
    const dee = await h.shopper('dee@example.test', 'tok_decline_capture');
    const code = await h.entryCode(dee.cookie, 1);
    const visit = h.startVisit(code.code, 1);
    visit.feedUntil(Number.POSITIVE_INFINITY);
    const mail = await smtp.waitFor((m) => m.to.includes('dee@example.test'));
    assert.match(mail.text, /card was declined/);
    await h.journey.exitFlow.idle();
    const flagged = await h.journey.ledger.declined();
    assert.deepEqual(
      flagged.map((p) => [p.visit, p.amount]),
      [[visit.sessionId, 398]],
    );
    assert.equal((await h.journey.ledger.receipt(visit.sessionId))?.receipt.total, 398);
    assert.equal(h.provider.capturedFor(visit.sessionId), 0);
  });

  it("refunds a dispute under the limit at once, and refuses another shopper's cart and receipt", async () => {
    const eva = await h.shopper('eva@example.test', 'tok_visa');
    const max = await h.shopper('max@example.test', 'tok_visa');
    const code = await h.entryCode(eva.cookie, 1);
    const visit = h.startVisit(code.code, 1);
    visit.feedUntil(13_500);
    const cartUrl = `/api/app/carts/${encodeURIComponent(visit.sessionId)}`;
    assert.equal((await app.inject({ method: 'GET', url: cartUrl, headers: { cookie: max.cookie } })).statusCode, 404);
    const own = await app.inject({ method: 'GET', url: cartUrl, headers: { cookie: eva.cookie } });
    assert.equal(own.json().cart.total, 199);
    visit.feedUntil(Number.POSITIVE_INFINITY);
    await smtp.waitFor((m) => m.to.includes('eva@example.test'));
    await h.journey.exitFlow.idle();

    const dispute = (cookie: string) =>
      app.inject({
        method: 'POST',
        url: `/api/app/receipts/${encodeURIComponent(visit.sessionId)}/disputes`,
        headers: { cookie },
        payload: { sku: 'WATER', qty: 1, reason: 'took only one' },
      });
    assert.equal((await dispute(max.cookie)).statusCode, 404);
    const under = await dispute(eva.cookie);
    assert.equal(under.statusCode, 201);
    assert.deepEqual([under.json().dispute.status, under.json().dispute.amount], ['refunded', 199]);
    assert.equal(h.provider.capturedFor(visit.sessionId), 398 - 199);
    const receipt = await app.inject({
      method: 'GET',
      url: `/api/app/receipts/${encodeURIComponent(visit.sessionId)}`,
      headers: { cookie: eva.cookie },
    });
    assert.deepEqual(receipt.json().payment, { status: 'captured', captured: 398, refunded: 199 });
  });
});

async function waitForTotal(page: import('playwright-core').Page, total: string): Promise<string> {
  const handle = await page.waitForFunction(
    (want) => {
      const el = document.getElementById('cart-total');
      return el?.dataset.total === want ? want : null;
    },
    total,
    { timeout: 3_000 },
  );
  return (await handle.jsonValue()) as string;
}

// --- the harness: the journey wired like `walkout serve`, an engine per visit sharing one authorizer -----------

interface Visit {
  sessionId: string;
  /** Ingests the visit's messages up to `offsetMs` after its start (Infinity: all, then the stream ends). */
  feedUntil(offsetMs: number): void;
}

interface Harness {
  journey: ShopperJourney;
  provider: TestPaymentProvider;
  reviews: DisputeRecord[];
  snapshot(): { sessions: []; carts: Record<string, never> };
  shopper(email: string, card: string | null): Promise<{ cookie: string; id: string }>;
  entryCode(cookie: string, partySize: number): Promise<{ code: string; issuedAt: number; ready: boolean }>;
  /** Scans a code at a gate at event time `ts`; returns the gate's reason (OK or the refusal code). */
  scan(code: string, ts: number): string;
  gateCommands(sessionId: string): { action: string; admit: number; reason: string }[];
  startVisit(code: string, partySize: number): Visit;
  close(): Promise<void>;
}

const kiosk = (): Store => {
  const parsed = parseStore({ ...tinyStoreDef(), mode: 'single-shopper' as const });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

async function createHarness(dataDir: string, smtpPort: number, app: FastifyInstance): Promise<Harness> {
  const store = kiosk();
  const listeners = new Set<(e: EngineEvent) => void>();
  const decided: EngineEvent[] = [];
  const sink = (e: EngineEvent): void => {
    decided.push(e);
    for (const fn of listeners) fn(e);
  };
  const provider = new TestPaymentProvider();
  const reviews: DisputeRecord[] = [];
  const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtpPort, from: 'receipts@shop.test' });
  const journey = await createShopperJourney({
    store,
    dataDir,
    qrSecret: `journey-${Math.random().toString(36)}-0123456789abcdefghijklmnop`,
    provider,
    mailer,
    events: {
      subscribe(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    appUrl: 'https://shop.test/app',
    autoRefundLimit: 300,
    defaultHold: 5_000,
    onReview: (d) => reviews.push(d),
  });
  const engine = () => createEngine({ store, authorizer: journey.authorizer, sink });
  const gate = (ts: number, code: string) => ({
    topic: topicFor('shop', 'gate.scan', 'door'),
    ts,
    payload: { v: 1, ts, code },
  });
  const pass = (ts: number, direction: 'in' | 'out') => ({
    topic: topicFor('shop', 'gate.pass', 'door'),
    ts,
    payload: { v: 1, ts, direction },
  });

  return {
    journey,
    provider,
    reviews,
    snapshot: () => ({ sessions: [], carts: {} }),
    async shopper(email, card) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/app/signup',
        payload: { email, password: 'password-123' },
      });
      assert.equal(r.statusCode, 201, r.body);
      const cookie = String(r.headers['set-cookie']).split(';')[0]!;
      if (card)
        await app.inject({ method: 'PUT', url: '/api/app/card', headers: { cookie }, payload: { token: card } });
      return { cookie, id: r.json().account.id };
    },
    async entryCode(cookie, partySize) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/app/entry-code',
        headers: { cookie },
        payload: { partySize },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    },
    scan(code, ts) {
      const e = engine();
      const m = gate(ts, code);
      e.ingest(m.topic, m.payload);
      e.finish();
      const command = decided.filter((d) => d.type === 'gate.command' && d.t === ts).at(-1);
      return command?.type === 'gate.command' ? command.data.reason : 'none';
    },
    gateCommands(sessionId) {
      return decided.flatMap((d) =>
        d.type === 'gate.command' && d.data.sessionId === sessionId
          ? [{ action: d.data.action, admit: d.data.admit, reason: d.data.reason }]
          : [],
      );
    },
    startVisit(code, partySize) {
      // Event time is the wall clock now: the code was issued moments ago and must still be valid.
      const t0 = Date.now() - 1_000;
      const plate = byException(
        {
          plateId: 'g1.s1.p1',
          base: 5_600,
          changes: [
            { t: 10_000, grams: 520, rampMs: 400 },
            { t: 16_000, grams: 520, rampMs: 400 },
          ],
          presses: [
            { t0: 9_600, t1: 10_900, grams: 300 },
            { t0: 15_600, t1: 16_900, grams: 300 },
          ],
        },
        t0,
        32_000,
        7,
      );
      const people = Array.from({ length: partySize }, (_, i) => i * 400);
      const messages = [
        gate(t0 + 1_000, code),
        ...people.map((d) => pass(t0 + 2_000 + d, 'in')),
        ...people.map((d) => pass(t0 + 24_000 + d, 'out')),
        ...plate.map((m) => ({
          topic: topicFor('shop', 'plate.weight', m.plateId),
          ts: m.ts,
          payload: { v: 1, ts: m.ts, hz: m.hz, grams: m.grams },
        })),
      ].sort((a, b) => a.ts - b.ts);
      const e = engine();
      let next = 0;
      return {
        sessionId: `door@${t0 + 1_000}`,
        feedUntil(offsetMs) {
          while (next < messages.length && messages[next]!.ts <= t0 + offsetMs) {
            const m = messages[next++]!;
            const r = e.ingest(m.topic, m.payload);
            assert.ok(r.ok, JSON.stringify(r));
          }
          if (offsetMs === Number.POSITIVE_INFINITY) e.finish();
        },
      };
    },
    async close() {
      await journey.close();
      mailer.close();
    },
  };
}
