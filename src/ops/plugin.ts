/**
 * The ops dashboard as one fastify plugin: the page at `/staff/ops` (today's figures, alerts with one-click "done",
 * stock by fixture, a visit explorer), its JSON API under `/api/staff/ops/...`, and the alert feed to MQTT. It keeps
 * an OpsBoard from the engine's event stream and, on a timer, runs the alert rules against the engine's device
 * health, samples shopper paths and reconciles settled plates against their readings. Staff sign-in is the web
 * pages' (`staffFromRequest`); the sign-in form itself lives in the web plugin.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoggedEvent } from '../engine/events.ts';
import type { Engine } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import { stockCountSchema } from '../protocol/messages.ts';
import type { Store } from '../store/store.ts';
import { requireStaffApi, requireStaffPage, staffFromRequest } from '../web/auth.ts';
import { type ConsoleSend, consoleHandheld } from '../web/console-handheld.ts';
import { storeLayout } from '../web/layout.ts';
import { addStaffHeaders, STAFF_STYLESHEET, sendPage, staffPageFrom } from '../web/shell.ts';
import { AlertPublisher } from './alert-mqtt.ts';
import type { Alert, AlertRules, AlertState } from './alerts.ts';
import { OpsBoard } from './board.ts';

export interface OpsDeps {
  engine: Engine;
  store: Store;
  /** Every logged engine event. */
  events: { subscribe(fn: (e: LoggedEvent) => void): () => void };
  /** Plate readings `[t, grams]` between t0 and t1 (the server's PlateTraces); without it no reading checks. */
  evidence?: { weightTrace(plateIds: string[], t0: number, t1: number): Record<string, [number, number][]> };
  staffToken: string;
  /** Called with every alert that opened, changed or closed (e.g. to publish it elsewhere). */
  publishAlert?: (alert: Alert) => void;
  /** MQTT broker to publish alerts to as `walkout/<store>/alerts/<id>`; the plugin connects and disconnects. */
  mqttUrl?: string;
  rules?: Partial<AlertRules>;
  /** Wall-clock period of the checks, ms (default 2000). */
  checkEveryMs?: number;
  /** Event-time period of the reconciliation against plate readings, ms (default 60 000). */
  reconcileEveryMs?: number;
  onError?: (error: Error) => void;
  /** Resolves once every call handed to `engine` so far is applied and its events delivered (a count then shows). */
  settled?: () => Promise<void>;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATES: readonly AlertState[] = ['open', 'acknowledged', 'done'];
/** Seconds of readings a reconciliation looks at. */
const READING_WINDOW_MS = 3_000;

// The request body is the handheld count's own field (src/protocol/messages.ts), sent as the console handheld.
const countSchema = stockCountSchema.pick({ counts: true }).strict();

export async function opsPlugin(app: FastifyInstance, deps: OpsDeps): Promise<void> {
  if (!deps.staffToken) throw new WalkoutError('OPS_NO_STAFF_TOKEN', 'the ops pages need a non-empty staff token');
  const publisher = deps.mqttUrl
    ? AlertPublisher.open({ brokerUrl: deps.mqttUrl, storeId: deps.store.def.id, onError: deps.onError })
    : null;
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: new URL('./assets/', PUBLIC_DIR).pathname,
      prefix: '/staff/ops/assets/',
      decorateReply: false,
      index: false,
    });
    registerRoutes(scope, deps, publisher);
  });
}

/** Feeds the board from the event stream and runs the periodic checks; `stop()` undoes both. */
class OpsRuntime {
  readonly board: OpsBoard;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastReconcile = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: OpsDeps,
    private readonly publish: (alert: Alert) => void,
  ) {
    // From the engine's stock as it stands (recovered by replay after a restart), not every plate full.
    this.board = new OpsBoard(deps.store, { rules: deps.rules, inventory: { initial: deps.engine.snapshot().stock } });
  }

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => this.board.apply(event));
    this.timer = setInterval(() => this.check(), this.deps.checkEveryMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Alert rules, paths and (when due) reconciliation; never throws into the timer. */
  check(): void {
    try {
      const snapshot = this.deps.engine.snapshot();
      const t = Number.isFinite(snapshot.t) ? snapshot.t : this.board.now();
      this.board.visits.samplePath(snapshot.tracks);
      const evidence = this.deps.evidence;
      if (evidence && Number.isFinite(t) && t - this.lastReconcile >= (this.deps.reconcileEveryMs ?? 60_000)) {
        this.lastReconcile = t;
        const plates = [...this.deps.store.plates.keys()];
        this.board.reconcile(evidence.weightTrace(plates, t - READING_WINDOW_MS, t), t);
      }
      for (const alert of this.board.evaluate(snapshot, t)) this.publish(alert);
    } catch (error) {
      this.deps.onError?.(error as Error);
    }
  }
}

function registerRoutes(scope: FastifyInstance, deps: OpsDeps, publisher: AlertPublisher | null): void {
  const { store, staffToken } = deps;
  const page = requireStaffPage(staffToken);
  const api = requireStaffApi(staffToken);
  const publish = (alert: Alert) => {
    publisher?.publish(alert);
    deps.publishAlert?.(alert);
  };
  const runtime = new OpsRuntime(deps, publish);
  const handheld = consoleHandheld(deps);
  const board = runtime.board;
  const layout = storeLayout(store);
  // The shared staff stylesheet (served by the staff pages, src/web/plugin.ts) first, then the dashboard's own.
  const html = staffPageFrom(new URL('ops.html', PUBLIC_DIR), {
    page: 'ops',
    title: 'Operations',
    stylesheets: [STAFF_STYLESHEET, '/staff/ops/assets/ops.css'],
    script: '/staff/ops/assets/ops.js',
  });

  runtime.start();
  scope.addHook('onClose', async () => {
    runtime.stop();
    await publisher?.close();
  });
  addStaffHeaders(scope);

  scope.get('/staff/ops', { onRequest: page }, (_request, reply) => sendPage(reply, html));
  scope.get('/api/staff/ops/layout', { onRequest: api }, () => layout);
  scope.get('/api/staff/ops/summary', { onRequest: api }, () => {
    runtime.check();
    const alerts = board.alerts.list();
    return {
      now: board.now(),
      store: { id: store.def.id, name: store.def.name, currency: store.def.currency, timezone: store.def.timezone },
      figures: board.figures(),
      alerts: [...alerts.filter((a) => a.state !== 'done'), ...alerts.filter((a) => a.state === 'done').slice(0, 20)],
      fixtures: board.stockByFixture(),
    };
  });
  scope.get<{ Querystring: { state?: string } }>('/api/staff/ops/alerts', { onRequest: api }, (request) => {
    const wanted = request.query.state?.split(',').filter((s): s is AlertState => STATES.includes(s as AlertState));
    return { alerts: board.alerts.list(wanted && wanted.length > 0 ? wanted : undefined) };
  });
  for (const action of ['ack', 'done'] as const) {
    scope.post<{ Params: { id: string } }>(
      `/api/staff/ops/alerts/:id/${action}`,
      { onRequest: api },
      (request, reply) => {
        const by = staffFromRequest(request, staffToken)?.name ?? 'staff';
        const t = Number.isFinite(board.now()) ? board.now() : 0;
        const outcome =
          action === 'ack'
            ? board.alerts.acknowledge(request.params.id, by, t)
            : board.alerts.done(request.params.id, by, t);
        if (!outcome.ok) return reply.code(outcome.code === 'NO_SUCH_ALERT' ? 404 : 409).send(outcome);
        publish(outcome.value);
        return { ok: true, alert: outcome.value };
      },
    );
  }
  scope.get<{ Querystring: { plate?: string; limit?: string } }>(
    '/api/staff/ops/stock',
    { onRequest: api },
    (request) => ({
      now: board.now(),
      fixtures: board.stockByFixture(),
      movements: board.inventory.recentMovements({
        plateId: request.query.plate,
        limit: Math.min(500, Number(request.query.limit) || 50),
      }),
    }),
  );
  scope.post<{ Params: { plateId: string }; Body: unknown }>(
    '/api/staff/ops/stock/:plateId/count',
    { onRequest: api },
    (request, reply) => {
      const staff = staffFromRequest(request, staffToken)?.name ?? 'staff';
      return countStock(
        { plateId: request.params.plateId, body: request.body, staff },
        { deps, board, handheld },
        reply,
      );
    },
  );
  scope.get('/api/staff/ops/visits', { onRequest: api }, () => ({
    now: board.now(),
    visits: board.visits.list().slice(0, 200).map(visitSummary),
  }));
  scope.get<{ Params: { id: string } }>('/api/staff/ops/visits/:id', { onRequest: api }, (request, reply) => {
    const visit = board.visits.get(request.params.id);
    if (!visit) return reply.code(404).send({ ok: false, code: 'NO_SUCH_VISIT', reason: 'unknown or forgotten visit' });
    const eventIds = new Set([
      ...visit.lines.flatMap((l) => (l.evidence.shelfEventId ? [l.evidence.shelfEventId] : [])),
      ...visit.reviews.map((r) => r.shelfEventId),
    ]);
    return {
      visit,
      shelfEvents: [...eventIds].flatMap((id) => board.visits.shelfEvent(id) ?? []),
      cases: visit.reviews.flatMap((r) => board.visits.reviewCase(r.caseId) ?? []),
    };
  });
}

/** A staff count goes to the engine as the console's handheld message; the answer waits for the board to show it. */
async function countStock(
  count: { plateId: string; body: unknown; staff: string },
  ctx: { deps: OpsDeps; board: OpsBoard; handheld: ConsoleSend },
  reply: FastifyReply,
) {
  const parsed = countSchema.safeParse(count.body);
  if (!parsed.success)
    return reply.code(400).send({ ok: false, code: 'BAD_COUNT', reason: parsed.error.issues[0]?.message });
  const { plateId, staff } = count;
  if (!ctx.deps.store.plates.has(plateId))
    return reply.code(404).send({ ok: false, code: 'NO_SUCH_PLATE', reason: `no plate ${plateId}` });
  const sent = await ctx.handheld('stock.count', { plateId, counts: parsed.data.counts, staff });
  if (!sent.ok)
    return reply.code(sent.code === 'PLATE_BUSY' ? 409 : 400).send({ ok: false, code: sent.code, reason: sent.reason });
  return { ok: true, t: sent.value.t, plate: ctx.board.inventory.plate(plateId) };
}

function visitSummary(v: ReturnType<OpsBoard['visits']['list']>[number]) {
  const items = v.lines.reduce((n, l) => n + l.qty, 0);
  const total = v.lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
  return {
    sessionId: v.sessionId,
    account: v.account,
    staff: v.staff,
    partySize: v.partySize,
    opened: v.opened,
    exited: v.exited,
    items,
    total: v.receipt?.total ?? total,
    reviews: v.reviews.length,
    openReviews: v.reviews.filter((r) => r.resolved === null).length,
    status: v.receipt ? 'final' : v.closed ? (v.closed.reason === 'exit' ? 'pending' : 'timed out') : 'inside',
  };
}
