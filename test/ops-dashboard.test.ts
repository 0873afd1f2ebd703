/**
 * The ops dashboard end to end: a fastify app with the staff pages and the ops plugin, a real engine for device
 * health, engine events pushed through the subscription, alerts published to a real (embedded) MQTT broker, and the
 * page in headless Chromium — today's figures, an alert resolved with one click, a visit opened in the explorer. Plus
 * the staff check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import mqtt from 'mqtt';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent } from '../src/engine/events.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import { alertTopicsPattern } from '../src/ops/alert-mqtt.ts';
import { opsPlugin } from '../src/ops/plugin.ts';
import { cartLine, opsStore, sessionClosed, sessionOpened, shelfEvent, T0 } from '../src/ops/test-fixtures.ts';
import { startEmbeddedBroker } from '../src/server/broker.ts';
import { webPlugin } from '../src/web/plugin.ts';
import { browserSkipReason, launchBrowser, staffPage } from './helpers/browser.ts';
import { eventBus } from './helpers/event-bus.ts';

const TOKEN = 'ops-staff-token-42';
const ALERT_ID = 'low-stock:p-cola:COLA:1';

/** `stock`: the engine's plate stock at start, as a restart recovers it by replay (default: every plate full). */
async function startStack(stock?: Record<string, Record<string, number>>) {
  const store = opsStore();
  const { events, push, subscribers } = eventBus();
  // What the engine itself decides (a staff count) reaches the board as the server's event hub would deliver it.
  const decided: EngineEvent[] = [];
  const sink = (e: EngineEvent) => {
    decided.push(e);
    push(e);
  };
  const real = createEngine({ store, authorizer: createDemoAuthorizer(), sink });
  const engine = stock ? { ...real, snapshot: () => ({ ...real.snapshot(), stock }) } : real;
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  const app = Fastify();
  // The staff pages too, as the server mounts them: the dashboard uses their stylesheet and shared script.
  await webPlugin(app, { engine, store, events, evidence: { weightTrace: () => ({}) }, staffToken: TOKEN });
  await opsPlugin(app, {
    engine,
    store,
    events,
    staffToken: TOKEN,
    mqttUrl: broker.url,
    checkEveryMs: 100,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const close = async () => {
    await app.close();
    await broker.close();
  };
  return { store, engine, decided, base, push, broker, close, subscribers };
}

/** A shopper takes 9 of the 10 colas (low stock) and leaves with a final receipt. */
function shoppingEvents(): EngineEvent[] {
  const pick = shelfEvent('p-cola', 9 * 370, [{ sku: 'COLA', qty: 9 }], T0 + 60_000);
  return [
    sessionOpened('s1', T0),
    { type: 'session.bound', t: T0 + 2000, data: { sessionId: 's1', trackId: 'trk-1' } },
    pick,
    cartLine(pick, 's1', { sku: 'COLA', qty: 9 }),
    {
      type: 'gate.crossed',
      t: T0 + 120_000,
      data: { trackId: 'trk-1', gateId: 'door', direction: 'out', t: T0 + 120_000 },
    },
    sessionClosed('s1', T0 + 120_000),
    {
      type: 'receipt.final',
      t: T0 + 123_000,
      data: {
        visit: 's1',
        account: 'acct-s1',
        lines: [{ sku: 'COLA', name: 'Cola 355 ml', qty: 9, unitPrice: 199 }],
        total: 9 * 199,
        currency: 'USD',
        status: 'final',
        entered: T0 + 2000,
        exited: T0 + 120_000,
        finalAt: T0 + 123_000,
      },
    },
  ];
}

test('the ops API needs a staff token; the page sends strangers to sign in', async () => {
  const stack = await startStack();
  try {
    const api = await fetch(`${stack.base}/api/staff/ops/summary`);
    assert.equal(api.status, 401);
    const page = await fetch(`${stack.base}/staff/ops`, { redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.match(page.headers.get('location') ?? '', /^\/staff\/login\?next=%2Fstaff%2Fops/);
    const ok = await fetch(`${stack.base}/api/staff/ops/summary`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    const bad = await fetch(`${stack.base}/api/staff/ops/alerts/nope/done`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(bad.status, 404);
  } finally {
    await stack.close();
  }
  assert.equal(stack.subscribers.size, 0, 'the plugin unsubscribed on close');
});

test('after a restart the board starts from the stock the engine recovered, not every plate full', async () => {
  const stack = await startStack({ 'p-cola': { COLA: 0 } });
  try {
    const summary = await fetch(`${stack.base}/api/staff/ops/summary`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { fixtures, alerts } = (await summary.json()) as {
      fixtures: { plates: { plateId: string; stock: { sku: string; units: number }[] }[] }[];
      alerts: { id: string }[];
    };
    const cola = fixtures.flatMap((f) => f.plates).find((p) => p.plateId === 'p-cola');
    assert.equal(cola?.stock.find((s) => s.sku === 'COLA')?.units, 0);
    assert.ok(
      alerts.some((a) => a.id.startsWith('low-stock:p-cola:COLA')),
      'the empty plate is an alert again',
    );
  } finally {
    await stack.close();
  }
});

test('dashboard in Chromium: figures, one-click "done" on an alert (and over MQTT), the visit explorer', {
  skip: browserSkipReason(),
}, async () => {
  const stack = await startStack();
  const received: { topic: string; payload: string; retain: boolean }[] = [];
  const client = await mqtt.connectAsync(stack.broker.url);
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(alertTopicsPattern(stack.store.def.id), { qos: 1 });
  const browser = await launchBrowser();
  try {
    for (const e of shoppingEvents()) stack.push(e);
    const { page, errors } = await staffPage(browser, stack.base, TOKEN, 'Ana');
    await page.goto(`${stack.base}/staff/ops`);

    const row = page.locator(`tr[data-alert-id="${ALERT_ID}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'open');
    assert.match((await row.textContent()) ?? '', /COLA low on plate p-cola: 1 of 10/);
    assert.equal(await page.locator('#k-visits .value').textContent(), '1');
    assert.equal(await page.locator('#k-revenue .value').textContent(), '$17.91');
    assert.equal(await page.locator('#alert-count').textContent(), '1');
    assert.equal(await page.locator('[data-plate="p-cola"].low.alerted').count(), 1);

    await row.locator('button[data-action="done"]').click();
    await page.locator(`tr[data-alert-id="${ALERT_ID}"][data-state="done"]`).waitFor();
    assert.equal(await page.locator('#alert-count').textContent(), '');
    const alerts = await (
      await fetch(`${stack.base}/api/staff/ops/alerts?state=done`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json();
    assert.deepEqual(
      alerts.alerts.map((a: { id: string; done: { by: string; auto: boolean } }) => [a.id, a.done.by, a.done.auto]),
      [[ALERT_ID, 'Ana', false]],
    );

    await page.locator('tr[data-visit="s1"]').click();
    await page.locator('#visit:not([hidden])').waitFor();
    const timeline = (await page.locator('#visit-timeline').textContent()) ?? '';
    assert.match(timeline, /\+9 × COLA/);
    assert.match(timeline, /receipt final/);
    assert.match((await page.locator('#visit-receipt').textContent()) ?? '', /9 × Cola 355 ml/);
    assert.deepEqual(errors, []);

    // MQTT: the alert arrived open (retained), then done once, then its retained copy was cleared.
    const deadline = Date.now() + 3000;
    while (received.filter((m) => m.topic.endsWith(ALERT_ID)).length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const mine = received.filter((m) => m.topic === `walkout/ops-shop/alerts/${ALERT_ID}`);
    assert.deepEqual(
      mine.map((m) => (m.payload === '' ? 'cleared' : JSON.parse(m.payload).state)),
      ['open', 'done', 'cleared'],
    );
  } finally {
    await browser.close();
    await client.endAsync();
    await stack.close();
  }
});

test('dashboard in Chromium: a plate counted by hand goes to the engine and back onto the board', {
  skip: browserSkipReason(),
}, async () => {
  const stack = await startStack();
  const browser = await launchBrowser();
  try {
    for (const e of shoppingEvents()) stack.push(e);
    const { page, errors } = await staffPage(browser, stack.base, TOKEN, 'Ana');
    await page.goto(`${stack.base}/staff/ops`);
    await page.locator('[data-plate="p-cola"].low').click();
    assert.equal(await page.locator('#count-title').textContent(), 'Count plate p-cola');
    const field = page.locator('#count-fields input[data-sku="COLA"]');
    assert.equal(await field.inputValue(), '1', 'the form starts from what the board holds');
    await field.fill('-2');
    await page.locator('#count button[type="submit"]').click();
    assert.equal(stack.decided.length, 0, 'the browser refuses a negative count before sending it');
    await field.fill('10');
    await page.locator('#count button[type="submit"]').click();
    await page.locator('#count-status', { hasText: 'counted p-cola' }).waitFor();
    await page.locator('[data-plate="p-cola"]:not(.low)').waitFor();
    assert.equal(stack.engine.snapshot().stock['p-cola']?.COLA, 10);
    assert.deepEqual(
      stack.decided.map((e) => [e.type, e.type === 'stock.counted' ? e.data : null]),
      [['stock.counted', { plateId: 'p-cola', counts: { COLA: 10 }, staff: 'Ana', handheldId: 'console' }]],
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await stack.close();
  }
});
