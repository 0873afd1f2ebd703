/**
 * The staff pages end to end: a real fastify app with the web plugin and a real engine fed device messages from a
 * kiosk scene where two shoppers reach into one plate, driven in headless Chromium — sign in, watch the live view,
 * resolve the review case in one click, see the cart line arrive on the carts page, report the item found on the
 * floor and say whose it was. Plus the staff check (401s).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent, LoggedEvent } from '../src/engine/events.ts';
import type { Engine } from '../src/engine/types.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import { PlateTraces } from '../src/server/plate-traces.ts';
import { loadStoreFile } from '../src/store/load-store.ts';
import type { Store } from '../src/store/store.ts';
import { webPlugin } from '../src/web/plugin.ts';
import { kioskReviewScene, type ReviewScene } from '../src/web/test-scenario.ts';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';

const TOKEN = 'test-staff-token-123';
const KIOSK = new URL('../examples/kiosk.yaml', import.meta.url).pathname;

interface Stack {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  events: LoggedEvent[];
  scene: ReviewScene;
  base: string;
  /** Feeds the scene's messages (in chunks, yielding so live sockets flush between them). */
  feed(): Promise<void>;
  /** Listeners on the engine's events right now. */
  listeners(): number;
}

/**
 * `websocket: false` leaves @fastify/websocket out, for the plugin to register itself; `unsaved` answers staff
 * decisions as a journal does and then loses them (a write that failed).
 */
async function startStack({ websocket = true, unsaved = false } = {}): Promise<Stack> {
  const loaded = loadStoreFile(KIOSK);
  if (!loaded.ok) throw new Error(loaded.reason);
  const store = loaded.value;
  const events: LoggedEvent[] = [];
  const subscribers = new Set<(e: LoggedEvent) => void>();
  const sink = (event: EngineEvent) => {
    const logged = { ...event, seq: events.length + 1 } as LoggedEvent;
    events.push(logged);
    for (const fn of subscribers) fn(logged);
  };
  const engine = createEngine({ store, authorizer: createDemoAuthorizer(), sink });
  const traces = new PlateTraces();
  const app = Fastify();
  // As the store server does: WebSocket support on the root, then the staff pages.
  if (websocket) await app.register(fastifyWebsocket);
  const lost: Engine['resolveReview'] = () => ({ ok: true });
  await webPlugin(app, {
    engine: unsaved ? { ...engine, resolveReview: lost } : engine,
    settled: async () => {},
    store,
    events: {
      subscribe(fn) {
        subscribers.add(fn);
        return () => subscribers.delete(fn);
      },
    },
    evidence: { weightTrace: (ids, t0, t1) => traces.weightTrace(ids, t0, t1) },
    staffToken: TOKEN,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const scene = kioskReviewScene(store);
  const feed = async () => {
    for (let i = 0; i < scene.messages.length; i++) {
      const m = scene.messages[i]!;
      const outcome = engine.ingest(m.topic, m.payload);
      const batch = m.payload as { ts: number; hz: number; grams?: number[] };
      if (outcome.ok && batch.grams)
        traces.add(m.topic.split('/')[3]!, { ts: batch.ts, hz: batch.hz, grams: batch.grams });
      if (i % 150 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { app, engine, store, events, scene, base: address, feed, listeners: () => subscribers.size };
}

async function signIn(page: Page, base: string, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  assert.match(page.url(), /\/staff\/login\?next=/, 'an unsigned browser is sent to the sign-in form');
  await page.fill('input[name=name]', 'Sam');
  await page.fill('input[name=token]', TOKEN);
  await Promise.all([page.waitForURL(`${base}${path}`), page.click('button[type=submit]')]);
}

const counter = (page: Page, id: string) => page.locator(`#${id} .value`).textContent();

test('staff check: no token, no pages or data', async (t) => {
  const stack = await startStack();
  t.after(() => stack.app.close());
  const { app } = stack;

  const api = await app.inject({ method: 'GET', url: '/api/staff/snapshot' });
  assert.equal(api.statusCode, 401);
  assert.equal(api.json().code, 'UNAUTHORIZED');
  assert.equal((await app.inject({ method: 'GET', url: '/api/staff/reviews' })).statusCode, 401);
  const wrong = await app.inject({ method: 'GET', url: '/api/staff/store', headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.statusCode, 401);
  const resolve = await app.inject({ method: 'POST', url: '/api/staff/reviews/x/resolve', payload: { nobody: true } });
  assert.equal(resolve.statusCode, 401);

  const page = await app.inject({ method: 'GET', url: '/staff/review' });
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, '/staff/login?next=%2Fstaff%2Freview');
  assert.equal((await app.inject({ method: 'GET', url: '/' })).headers.location, '/staff/live');

  const bearer = await app.inject({
    method: 'GET',
    url: '/api/staff/store',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(bearer.statusCode, 200);
  assert.equal(bearer.json().plates.length, stack.store.plates.size);

  const badLogin = await app.inject({
    method: 'POST',
    url: '/staff/login',
    payload: { token: 'guess', next: '/staff/carts' },
  });
  assert.equal(badLogin.statusCode, 401);
  assert.match(badLogin.body, /not right/);
  const login = await app.inject({
    method: 'POST',
    url: '/staff/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `token=${TOKEN}&name=Sam&next=${encodeURIComponent('https://evil.example/')}`,
  });
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/staff/live', 'a foreign next is never followed');
  const cookie = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
  const withCookie = await app.inject({ method: 'GET', url: '/staff/carts', headers: { cookie } });
  assert.equal(withCookie.statusCode, 200);
  assert.match(withCookie.body, /<h1>Carts/);

  // The live WebSocket refuses an unsigned client and serves a signed-in one.
  const port = new URL(stack.base).port;
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/staff/live`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  assert.equal(refused, 401);
  const first = await new Promise<{ type: string }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/staff/live`, { headers: { cookie } });
    ws.on('message', (data) => {
      resolve(JSON.parse(String(data)));
      ws.close();
    });
    ws.on('error', reject);
  });
  assert.equal(first.type, 'snapshot');

  // Closing the app stops the live feed and the review evidence keeper: both let go of the engine's events.
  assert.equal(stack.listeners(), 2);
  await app.close();
  assert.equal(stack.listeners(), 0);
});

test('review API: a decision that was not saved says so, and the case stays open', async (t) => {
  const stack = await startStack({ websocket: false, unsaved: true });
  t.after(() => stack.app.close());
  await stack.feed();
  const headers = { authorization: `Bearer ${TOKEN}` };
  const [view] = (await stack.app.inject({ method: 'GET', url: '/api/staff/reviews', headers })).json().queue;
  const url = `/api/staff/reviews/${encodeURIComponent(view.reviewCase.caseId)}/resolve`;
  const answer = await stack.app.inject({ method: 'POST', url, headers, payload: { nobody: true } });
  assert.equal(answer.statusCode, 503);
  assert.equal(answer.json().code, 'NOT_SAVED');
  assert.equal(stack.engine.snapshot().reviews.length, 1);
});

test('review API: bad decisions are refused, a good one becomes a cart line', async (t) => {
  // Also: mounted on an app without WebSocket support, the plugin brings its own.
  const stack = await startStack({ websocket: false });
  t.after(() => stack.app.close());
  await stack.feed();
  const headers = { authorization: `Bearer ${TOKEN}` };
  const reviews = await stack.app.inject({ method: 'GET', url: '/api/staff/reviews', headers });
  const body = reviews.json();
  assert.equal(body.queue.length, 1);
  const view = body.queue[0];
  assert.deepEqual(view.shelfEvent.plateIds, [stack.scene.plateId]);
  assert.ok(view.traces[stack.scene.plateId].length > 400, 'about 10 s of 60 Hz readings around the event');
  assert.equal(view.candidates.filter((c: { sessionId: string | null }) => c.sessionId).length, 2);
  assert.equal(view.scene.length, 2, 'both shoppers are on the map at the event');

  const url = `/api/staff/reviews/${encodeURIComponent(view.reviewCase.caseId)}/resolve`;
  assert.equal(
    (await stack.app.inject({ method: 'POST', url, headers, payload: { alternative: 99 } })).statusCode,
    400,
  );
  assert.equal((await stack.app.inject({ method: 'POST', url, headers, payload: { pick: 'me' } })).statusCode, 400);
  // A decision of the reviewer's own names a product the store sells and a session whose receipt is still open.
  const shopper = view.candidates.find((c: { sessionId: string | null }) => c.sessionId).sessionId as string;
  const sku = stack.store.plates.get(stack.scene.plateId)!.plate.skus[0]!;
  for (const [payload, why] of [
    [{ sessionId: shopper, items: [{ sku: 'no-such-thing', qty: 1 }] }, /no product no-such-thing/],
    [{ sessionId: 'S-ghost', items: [{ sku, qty: 1 }] }, /no session S-ghost/],
    [{ sessionId: shopper, items: [{ sku, qty: 0 }] }, /not a count/],
  ] as const) {
    const refused = await stack.app.inject({ method: 'POST', url, headers, payload });
    assert.equal(refused.statusCode, 400, JSON.stringify(payload));
    assert.match(refused.json().reason, why);
  }
  assert.equal(stack.engine.snapshot().reviews.length, 1, 'a refused decision leaves the case open');
  const missing = '/api/staff/reviews/R-nope/resolve';
  assert.equal(
    (await stack.app.inject({ method: 'POST', url: missing, headers, payload: { nobody: true } })).statusCode,
    404,
  );

  const ok = await stack.app.inject({ method: 'POST', url, headers, payload: { nobody: true } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().choice.sessionId, null);
  assert.equal((await stack.app.inject({ method: 'POST', url, headers, payload: { nobody: true } })).statusCode, 404);
  const resolved = stack.events.find((e) => e.type === 'review.resolved');
  assert.equal(resolved?.type === 'review.resolved' && resolved.data.reviewer, 'staff');
  assert.deepEqual(Object.keys(stack.engine.snapshot().carts), [], 'nobody was charged');

  // Items found on the floor: bad reports are refused; a find nobody's cart explains waits until staff answer once.
  const found = (payload: object) => stack.app.inject({ method: 'POST', url: '/api/staff/found', headers, payload });
  assert.equal((await found({ sku: 'no-such-product', at: [0.6, 0.6] })).json().code, 'IMPOSSIBLE_VALUE');
  assert.equal((await found({ sku })).statusCode, 400);
  assert.equal((await found({ sku, at: [0.6, 0.6] })).statusCode, 200);
  const [waiting] = stack.engine.snapshot().found;
  assert.deepEqual([waiting?.sku, waiting?.candidates], [sku, []]);
  const assign = (foundId: string, sessionId: string | null) =>
    stack.app.inject({
      method: 'POST',
      url: `/api/staff/found/${encodeURIComponent(foundId)}/assign`,
      headers,
      payload: { sessionId },
    });
  assert.equal((await assign(waiting!.foundId, 'entry@1')).json().code, 'NOT_A_CANDIDATE');
  assert.equal((await assign('found-nope', null)).statusCode, 404);
  assert.equal((await assign(waiting!.foundId, null)).statusCode, 200);
  assert.equal((await assign(waiting!.foundId, null)).statusCode, 404, 'answered once');
  assert.deepEqual(stack.engine.snapshot().found, []);

  const port = new URL(stack.base).port;
  const first = await new Promise<{ type: string; snapshot: { reviews: unknown[] } }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/staff/live`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    ws.on('message', (data) => {
      resolve(JSON.parse(String(data)));
      ws.close();
    });
    ws.on('error', reject);
  });
  assert.equal(first.type, 'snapshot');
  assert.deepEqual(first.snapshot.reviews, []);
});

test('staff pages in Chromium: live view, review in one click, cart line appears', {
  skip: browserSkipReason(),
}, async (t) => {
  const stack = await startStack();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await stack.app.close();
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const live = await context.newPage();
  const pageErrors: string[] = [];
  for (const p of [live]) p.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(live, stack.base, '/staff/live');
  await live.waitForSelector('#conn.live');
  assert.equal(await live.locator('#floor rect.plate').count(), stack.store.plates.size);
  assert.equal(await live.locator('#floor line.gate').count(), stack.store.def.gates.length);

  // Record every plate flash: they fade within seconds, so looking afterwards would race them.
  await live.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { flashes: string[] }).flashes = seen;
    new MutationObserver((changes) => {
      for (const c of changes) {
        const el = c.target as Element;
        const flash = Array.from(el.classList).find((k) => k.startsWith('flash-'));
        if (flash) seen.push(`${el.getAttribute('data-plate')}:${flash}`);
      }
    }).observe(document.getElementById('floor')!, { attributes: true, attributeFilter: ['class'], subtree: true });
  });

  // The store comes alive while the page watches.
  await stack.feed();
  await live.waitForSelector('#events li[data-type="review.opened"]');
  await live.waitForFunction(() => document.querySelectorAll('#floor circle.shopper').length === 2);
  assert.equal(await counter(live, 'c-shoppers'), '2');
  assert.equal(await counter(live, 'c-sessions'), '2');
  await live.waitForFunction(() => document.querySelector('#c-reviews .value')?.textContent === '1');
  const ratio = Number(await live.locator(`rect[data-plate="${stack.scene.plateId}"]`).getAttribute('data-ratio'));
  assert.ok(ratio > 0.9 && ratio < 1, `the picked plate is no longer full (${ratio})`);
  const flashes = await live.evaluate(() => (window as unknown as { flashes: string[] }).flashes);
  const plate = stack.scene.plateId;
  assert.ok(flashes.includes(`${plate}:flash-event`) && flashes.includes(`${plate}:flash-review`), String(flashes));
  await live.screenshot({ path: '/tmp/walkout-live.png', fullPage: true });

  const carts = await context.newPage();
  carts.on('pageerror', (e) => pageErrors.push(e.message));
  await carts.goto(`${stack.base}/staff/carts`);
  await carts.waitForSelector('#conn.live');
  assert.equal(await carts.locator('section.cart').count(), 2);
  assert.equal(await carts.locator('section.cart tr[data-sku]').count(), 0, 'nothing is charged while in review');

  const review = await context.newPage();
  review.on('pageerror', (e) => pageErrors.push(e.message));
  await review.goto(`${stack.base}/staff/review`);
  const caseId = stack.engine.snapshot().reviews[0]!.caseId;
  const card = review.locator(`article.case[data-case-id="${caseId}"]`);
  await card.waitFor();
  const tracePoints = await card.locator('svg.chart polyline.trace').getAttribute('points');
  assert.ok((tracePoints ?? '').split(' ').length > 400, 'the weight trace is drawn');
  assert.equal(await card.locator('svg.mini-map circle.shopper').count(), 2, 'both shoppers on the small map');
  assert.equal(await card.locator('svg.mini-map rect.plate.highlight').count(), 1);
  const candidates = await card.locator('.candidates li').allTextContents();
  assert.ok(
    candidates.some((c) => c.startsWith('ava')) && candidates.some((c) => c.startsWith('ben')),
    String(candidates),
  );
  await review.screenshot({ path: '/tmp/walkout-review.png', fullPage: true });

  // Choose the second alternative: one click.
  const chosen = stack.engine.snapshot().reviews[0]!.alternatives[1]!;
  await card.locator('button[data-alternative="1"]').click();
  await card.waitFor({ state: 'detached' });
  await review.waitForSelector('#queue .empty-state');
  await review.waitForSelector(`#resolved li[data-case-id="${caseId}"]`);
  assert.match((await review.locator(`#resolved li[data-case-id="${caseId}"]`).textContent()) ?? '', /by Sam/);

  const resolved = stack.events.find((e) => e.type === 'review.resolved');
  assert.ok(resolved && resolved.type === 'review.resolved');
  assert.equal(resolved.data.reviewer, 'Sam');
  assert.equal(resolved.data.choice.sessionId, chosen.sessionId);
  const cart = stack.engine.snapshot().carts[chosen.sessionId!];
  assert.deepEqual(
    cart?.lines.map((l) => [l.sku, l.qty, l.confidence]),
    chosen.items.map((i) => [i.sku, i.qty, 1]),
  );

  // The carts page, never reloaded, shows the new line and total.
  const line = carts.locator(`section.cart[data-session="${chosen.sessionId}"] tr[data-sku="${chosen.items[0]!.sku}"]`);
  await line.waitFor();
  const total = await carts.locator(`section.cart[data-session="${chosen.sessionId}"] [data-total]`).textContent();
  assert.ok(total?.includes((cart!.total / 100).toFixed(2)), `total ${total}`);
  await carts.screenshot({ path: '/tmp/walkout-carts.png', fullPage: true });
  await live.waitForFunction(() => document.querySelector('#c-reviews .value')?.textContent === '0');
  // The reviewer's decision reaches the live view as a cart line flashing on its plate.
  await live.waitForFunction(
    (id) => (window as unknown as { flashes: string[] }).flashes.includes(`${id}:flash-add`),
    stack.scene.plateId,
  );

  // Staff report the item found on the floor, far from where the shopper stood: the engine cannot tell whose it is,
  // so it waits on the live page, where one click says whose it was and the cart loses it.
  const sku = chosen.items[0]!.sku;
  await live.selectOption('#found-sku', sku);
  const [px, py] = await live.evaluate(() => {
    const floor = document.getElementById('floor') as unknown as SVGSVGElement;
    const p = new DOMPoint(0.6, -0.6).matrixTransform(floor.getScreenCTM()!);
    return [p.x, p.y];
  });
  await live.mouse.click(px, py);
  await live.locator('#found-report:not([disabled])').click();
  await live.waitForFunction(() => /Reported/.test(document.getElementById('found-status')?.textContent ?? ''));
  const waiting = live.locator(`#found-list li button[data-session="${chosen.sessionId}"]`);
  await waiting.waitFor();
  assert.equal(await live.locator('#floor circle.mark.found').count(), 1);
  await live.screenshot({ path: '/tmp/walkout-found.png', fullPage: true });
  await waiting.click();
  await live.waitForFunction(() => /Taken off/.test(document.getElementById('found-status')?.textContent ?? ''));
  await live.waitForSelector('#found-list li', { state: 'detached' });
  const found = stack.events.filter((e) => e.type === 'item.found').map((e) => e.type === 'item.found' && e.data);
  assert.deepEqual(
    found.map((f) => f && [f.sessionId, f.assignedBy ?? null]),
    [
      [null, null],
      [chosen.sessionId, 'Sam'],
    ],
  );
  await carts.waitForFunction(
    (id) => document.querySelector(`section.cart[data-session="${id}"] [data-total]`)?.textContent?.includes('0.00'),
    chosen.sessionId,
  );
  assert.deepEqual(
    stack.engine.snapshot().carts[chosen.sessionId!]?.lines.map((l) => [l.sku, l.qty, l.kind]),
    [
      [sku, 1, 'add'],
      [sku, -1, 'correction'],
    ],
  );
  assert.deepEqual(pageErrors, []);
});
