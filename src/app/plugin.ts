/**
 * The shopper app as one fastify plugin: a mobile-first PWA (plain HTML/CSS/JS from `src/app/public`, a manifest and
 * a service worker; no CDN, no build) at `/app/`, its JSON API under `/api/app/...` (api.ts), and a WebSocket at
 * `/api/app/live` pushing the signed-in shopper's own carts the moment the engine changes them.
 * Everything lives in its own encapsulated scope, so nothing here touches the server's other routes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import type { Disputes } from '../checkout/payments/disputes.ts';
import type { CheckoutLedger } from '../checkout/payments/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import type { AccountsService } from '../identity/accounts.ts';
import type { EntryCodes } from '../identity/entry-qr.ts';
import type { Store } from '../store/store.ts';
import { registerApi } from './api.ts';
import { tokenOf } from './auth.ts';
import { LiveCarts } from './live-carts.ts';

export interface AppDeps {
  accounts: AccountsService;
  entryCodes: EntryCodes;
  /** Every engine decision (the server's event hub). */
  events: { subscribe(fn: (event: EngineEvent) => void): () => void };
  store: Store;
  ledger: CheckoutLedger;
  disputes: Disputes;
  /** The engine's current sessions and carts, so carts open before a restart still show. */
  snapshot?: () => Pick<EngineSnapshot, 'sessions' | 'carts'>;
  /** Card tokens offered as buttons: the test provider's cards in the demo, none with a real provider. */
  testCards?: readonly { token: string; label: string }[];
  /** Wall clock for issuing entry codes and rate limiting. */
  clock?: () => number;
  /** Mark cookies Secure (serve over HTTPS). */
  secureCookies?: boolean;
  signInLimit?: { perAddress: number; perEmail: number; windowMs: number };
  /** Told when a shopper sets a card (to charge their declined visits again). */
  onCardSet?: (account: string) => void;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  webmanifest: 'application/manifest+json',
};
/** Same-origin only; QR images arrive as data: URLs. */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; manifest-src 'self'";

function loadPublicFiles(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    const type = TYPES[name.split('.').pop() ?? ''];
    if (type) files.set(name, { body: readFileSync(new URL(name, PUBLIC_DIR)), type });
  }
  return files;
}

export async function appPlugin(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(async (scope) => {
    if (!scope.hasDecorator('websocketServer')) await scope.register(fastifyWebsocket);
    const clock = deps.clock ?? Date.now;
    const carts = new LiveCarts({
      productName: (sku) => deps.store.products.get(sku)?.name,
      currency: deps.store.def.currency,
    });
    const snap = deps.snapshot?.();
    if (snap) carts.seed(snap.sessions, snap.carts);
    const sockets = new Map<WebSocket, string>();
    const unsubscribe = deps.events.subscribe((event) => {
      const account = carts.apply(event);
      if (!account) return;
      const message = JSON.stringify({ type: 'carts', carts: carts.cartsOf(account) });
      for (const [socket, owner] of sockets) if (owner === account && socket.readyState === 1) socket.send(message);
    });
    scope.addHook('onClose', async () => {
      unsubscribe();
      for (const socket of sockets.keys()) socket.close(1001, 'server stopping');
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      return payload;
    });

    registerApi(scope, {
      accounts: deps.accounts,
      entryCodes: deps.entryCodes,
      ledger: deps.ledger,
      disputes: deps.disputes,
      carts,
      store: { name: deps.store.def.name, currency: deps.store.def.currency },
      testCards: deps.testCards ?? [],
      clock,
      secureCookies: deps.secureCookies ?? false,
      signInLimit: deps.signInLimit ?? { perAddress: 30, perEmail: 5, windowMs: 60_000 },
      ...(deps.onCardSet ? { onCardSet: deps.onCardSet } : {}),
    });

    scope.get('/api/app/live', { websocket: true }, async (socket, request) => {
      const token = tokenOf(request);
      const account = token ? await deps.accounts.authenticate(token) : null;
      if (!account) {
        socket.close(4401, 'please sign in');
        return;
      }
      sockets.set(socket, account.id);
      socket.on('close', () => sockets.delete(socket));
      socket.send(JSON.stringify({ type: 'carts', carts: carts.cartsOf(account.id) }));
    });

    const files = loadPublicFiles();
    const serve = (name: string, reply: FastifyReply) => {
      const file = files.get(name);
      if (!file) return reply.code(404).send({ error: 'NOT_FOUND' });
      // The page and the service worker must never be stale; the service worker revalidates the rest.
      const fresh = name === 'index.html' || name === 'sw.js';
      return reply
        .type(file.type)
        .header('cache-control', fresh ? 'no-cache' : 'max-age=300')
        .send(file.body);
    };
    scope.get('/app', async (_request, reply) => reply.redirect('/app/', 302));
    scope.get('/app/', async (_request, reply) => serve('index.html', reply));
    scope.get<{ Params: { file: string } }>('/app/:file', async (request, reply) => serve(request.params.file, reply));
  });
}
