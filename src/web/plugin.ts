/**
 * The staff web pages as one fastify plugin: the live store view, the review console, the carts view and the
 * disputes page under `/staff/...`, their JSON and WebSocket API under `/api/staff/...` (items found on the floor:
 * found-api.ts), and the sign-in form.
 * Everything runs in its own encapsulated scope, so it adds nothing to the routes the server owns; pages are plain
 * HTML fragments in the shared shell (shell.ts), CSS and ES modules from `src/web/public` (no build step). The
 * disputes page reads the staff disputes API (src/server/staff-disputes.ts), mounted with the shopper app.
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LoggedEvent } from '../engine/events.ts';
import type { Engine } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import { choiceProblem } from '../review/types.ts';
import type { Store } from '../store/store.ts';
import {
  cleanStaffName,
  requireStaffApi,
  requireStaffPage,
  safeNext,
  sameSecret,
  signInCookies,
  signOutCookies,
  staffFromRequest,
} from './auth.ts';
import { CaseMemory } from './case-memory.ts';
import { registerFoundRoutes } from './found-api.ts';
import { storeLayout } from './layout.ts';
import { LiveFeed } from './live-feed.ts';
import { loginPage } from './login-page.ts';
import { buildReviewQueue, choiceFor, keepEvidence, type ReviewDecision } from './review-view.ts';
import { addStaffHeaders, sendPage, staffPageFrom } from './shell.ts';

export interface WebDeps {
  engine: Engine;
  store: Store;
  /** Every logged engine event. */
  events: { subscribe(fn: (e: LoggedEvent) => void): () => void };
  /** Plate readings `[t, grams]` between t0 and t1, per plate. */
  evidence: { weightTrace(plateIds: string[], t0: number, t1: number): Record<string, [number, number][]> };
  staffToken: string;
  /**
   * Resolves once every call handed to `engine` so far is saved and applied (the server's write-ahead journal) and
   * its decisions delivered to `events`; absent where the engine applies a call as it answers.
   */
  settled?: () => Promise<void>;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const PAGES = [
  { page: 'live', title: 'Live store' },
  { page: 'review', title: 'Review' },
  { page: 'carts', title: 'Carts' },
  { page: 'disputes', title: 'Disputes' },
] as const;

const itemsSchema = z.array(z.object({ sku: z.string().min(1), qty: z.number().int().min(-99).max(99) })).max(50);
const decisionSchema = z.union([
  z.object({ alternative: z.number().int().nonnegative() }),
  z.object({ nobody: z.literal(true) }),
  z.object({ sessionId: z.string().min(1).nullable(), items: itemsSchema }),
]);

export async function webPlugin(app: FastifyInstance, deps: WebDeps): Promise<void> {
  if (!deps.staffToken) throw new WalkoutError('WEB_NO_STAFF_TOKEN', 'the staff pages need a non-empty staff token');
  // An own scope: the hooks, parsers and static files below stay out of the server's routes.
  await app.register(async (scope) => {
    if (!scope.hasDecorator('websocketServer')) await scope.register(fastifyWebsocket);
    await scope.register(fastifyStatic, {
      root: new URL('./assets/', PUBLIC_DIR).pathname,
      prefix: '/staff/assets/',
      decorateReply: false,
      index: false,
    });
    registerRoutes(scope, deps);
  });
}

function registerRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { engine, store, staffToken } = deps;
  const page = requireStaffPage(staffToken);
  const api = requireStaffApi(staffToken);
  const memory = new CaseMemory();
  const feed = new LiveFeed(engine, deps.events, memory);
  const layout = storeLayout(store);
  const html = PAGES.map(({ page, title }) => ({
    page,
    html: staffPageFrom(new URL(`${page}.html`, PUBLIC_DIR), { page, title, script: `/staff/assets/${page}.js` }),
  }));

  const weightTrace = (ids: string[], t0: number, t1: number) => deps.evidence.weightTrace(ids, t0, t1);
  // Each case's evidence is kept as it opens, before the live buffers forget it.
  const unkeep = deps.events.subscribe((event) => {
    if (event.type === 'review.opened') keepEvidence(event.data, memory, weightTrace);
  });
  feed.start();
  scope.addHook('onClose', async () => {
    unkeep();
    feed.stop();
  });
  addStaffHeaders(scope);
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  if (!scope.hasRoute({ method: 'GET', url: '/' })) scope.get('/', (_req, reply) => reply.redirect('/staff/live'));
  scope.get('/staff', (_req, reply) => reply.redirect('/staff/live'));

  scope.get<{ Querystring: { next?: string } }>('/staff/login', (request, reply) => {
    const next = safeNext(request.query.next);
    if (staffFromRequest(request, staffToken)) return reply.redirect(next);
    return reply.type('text/html; charset=utf-8').send(loginPage({ next, storeName: store.def.name }));
  });
  scope.post<{ Body: Record<string, string> | undefined }>('/staff/login', (request, reply) => {
    const body = request.body ?? {};
    const next = safeNext(body.next);
    if (!sameSecret(String(body.token ?? ''), staffToken)) {
      const error = 'That staff token is not right.';
      const name = body.name ? cleanStaffName(String(body.name)) : '';
      const page = loginPage({ next, storeName: store.def.name, error, name });
      return reply.code(401).type('text/html; charset=utf-8').send(page);
    }
    return reply.header('set-cookie', signInCookies(staffToken, String(body.name ?? ''))).redirect(next, 303);
  });
  scope.post('/staff/logout', (_request, reply) =>
    reply.header('set-cookie', signOutCookies()).redirect('/staff/login', 303),
  );

  for (const { page: name, html: body } of html) {
    scope.get(`/staff/${name}`, { onRequest: page }, (_request, reply) => sendPage(reply, body));
  }

  scope.get('/api/staff/store', { onRequest: api }, () => layout);
  scope.get('/api/staff/snapshot', { onRequest: api }, () => ({ snapshot: engine.snapshot(), stats: engine.stats() }));
  scope.get('/api/staff/reviews', { onRequest: api }, (request) => {
    const snapshot = engine.snapshot();
    memory.sampleTracks(snapshot.tracks);
    return {
      now: snapshot.t,
      reviewer: staffFromRequest(request, staffToken)?.name ?? 'staff',
      queue: buildReviewQueue(snapshot, memory, weightTrace),
      resolved: memory.resolved(),
      sessions: snapshot.sessions.filter((s) => s.state !== 'closed'),
    };
  });
  scope.post<{ Params: { caseId: string }; Body: unknown }>(
    '/api/staff/reviews/:caseId/resolve',
    { onRequest: api },
    async (request, reply) => {
      const parsed = decisionSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(400).send({ ok: false, code: 'BAD_DECISION', reason: parsed.error.issues[0]?.message });
      }
      const snapshot = engine.snapshot();
      const reviewCase = snapshot.reviews.find((c) => c.caseId === request.params.caseId);
      if (!reviewCase) return reply.code(404).send({ ok: false, code: 'NO_SUCH_CASE', reason: 'case is not open' });
      const choice = choiceFor(reviewCase, parsed.data as ReviewDecision);
      if (!choice.ok) return reply.code(400).send(choice);
      const sessions = new Set(snapshot.sessions.map((s) => s.sessionId));
      const problem = choiceProblem(choice.choice, {
        hasProduct: (sku) => store.products.has(sku),
        hasSession: (id) => sessions.has(id),
      });
      if (problem) return reply.code(400).send({ ok: false, code: 'BAD_CHOICE', reason: problem });
      const reviewer = staffFromRequest(request, staffToken)?.name ?? 'staff';
      const result = engine.resolveReview(reviewCase.caseId, choice.choice, reviewer);
      if (!result.ok) {
        const status = { NO_SUCH_CASE: 404, ALREADY_RESOLVED: 409, BAD_CHOICE: 400 }[result.code];
        return reply.code(status).send(result);
      }
      // Answer once the decision is saved and applied: the console reloads a case that is closed, a cart that moved.
      await deps.settled?.();
      if (engine.snapshot().reviews.some((c) => c.caseId === reviewCase.caseId)) {
        const reason = 'the decision was not saved; the case is still open, try again';
        return reply.code(503).send({ ok: false, code: 'NOT_SAVED', reason });
      }
      return { ok: true, caseId: reviewCase.caseId, choice: choice.choice, reviewer, t: engine.now() };
    },
  );

  scope.get('/api/staff/live', { websocket: true, onRequest: api }, (socket) => feed.add(socket));
  registerFoundRoutes(scope, { engine, store, staffToken, events: deps.events, settled: deps.settled });
}
