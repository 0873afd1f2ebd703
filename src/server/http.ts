/**
 * The HTTP face of the store server (fastify 5 + @fastify/websocket): health and readiness, Prometheus metrics, the
 * JSON API (event log, engine snapshot, store definition, device health, input journal), the live event stream over
 * WebSocket, the staff pages (src/web/plugin.ts), the ops dashboard (src/ops/plugin.ts), and the shopper app with
 * the staff's dispute decisions (shopper.ts, staff-disputes.ts).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { LoggedEvent } from '../engine/events.ts';
import type { Engine } from '../engine/types.ts';
import { opsPlugin } from '../ops/plugin.ts';
import type { EventLog } from '../storage/event-log.ts';
import type { Store } from '../store/store.ts';
import { requireStaffApi } from '../web/auth.ts';
import { webPlugin } from '../web/plugin.ts';
import type { EventHub } from './event-hub.ts';
import type { ServerMetrics } from './metrics.ts';
import type { PlateTraces } from './plate-traces.ts';
import type { StoreShopper } from './shopper.ts';
import { staffDisputesPlugin } from './staff-disputes.ts';

export interface HttpDeps {
  engine: Engine;
  store: Store;
  log: EventLog;
  hub: EventHub;
  metrics: ServerMetrics;
  traces: PlateTraces;
  staffToken: string;
  logger: Logger;
  /** Broker and database checks for /readyz. */
  ready(): Promise<{ broker: boolean; db: boolean }>;
  /** Silent plates, offline cameras and every device's last message and clock skew, for /api/devices. */
  devices(): unknown;
  /** Input journal size and the start-up recovery, for /api/journal. */
  journal(): unknown;
  /** Resolves once every call handed to `engine` so far is journalled and applied. */
  applied(): Promise<void>;
  /** The broker the ops dashboard publishes its alerts to; without it alerts stay on the page. */
  mqttUrl?: string;
  /** The shopper journey: its app at /app/ and the staff's dispute API. */
  shopper?: StoreShopper;
}

/** A WebSocket client this far behind is cut off rather than buffered without bound. */
const MAX_WS_BUFFER = 8 * 1024 * 1024;
/** Logged events read at a time for a WebSocket's backlog, and how long a page may take to drain, ms. */
const BACKLOG_PAGE = 1000;
const BACKLOG_DRAIN_MS = 10_000;

const eventsQuery = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(10_000).default(1_000),
  types: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').filter(Boolean) : undefined)),
});

export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ part: 'http' }) as FastifyBaseLogger,
    // Scrapes and page loads are not news; errors still are.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(fastifyWebsocket);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const checks = await deps.ready();
    const ready = checks.broker && checks.db;
    return reply.code(ready ? 200 : 503).send({ ready, ...checks });
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  app.get('/api/store', async () => deps.store.def);
  // Every shopper's cart, receipt and path is in these: staff only, as the shopper app shares this port.
  const staff = { onRequest: requireStaffApi(deps.staffToken) };
  app.get('/api/snapshot', staff, async () => deps.engine.snapshot());
  app.get('/api/devices', staff, async () => deps.devices());
  app.get('/api/journal', staff, async () => deps.journal());
  app.get('/api/events', staff, async (req, reply) => {
    const q = eventsQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'BAD_QUERY', reason: q.error.issues[0]?.message });
    const events = await deps.log.read({
      after: q.data.after,
      limit: q.data.limit,
      types: q.data.types as LoggedEvent['type'][] | undefined,
    });
    return { events, lastSeq: await deps.log.lastSeq() };
  });
  app.get('/ws/events', { websocket: true, ...staff }, (socket, req) => {
    const after = Number((req.query as { after?: string }).after);
    streamEvents(socket, deps, Number.isInteger(after) && after >= 0 ? after : null);
  });
  await mountWeb(app, deps);
  return app;
}

/** Streams every logged event to one socket; with `after`, first replays the log from there without gaps or repeats. */
function streamEvents(socket: WebSocket, deps: HttpDeps, after: number | null): void {
  let lastSent = after ?? 0;
  let pending: LoggedEvent[] | null = after === null ? null : [];
  const send = (event: LoggedEvent) => {
    if (event.seq !== 0 && event.seq <= lastSent) return;
    if (socket.bufferedAmount > MAX_WS_BUFFER) {
      socket.close(1013, 'too far behind');
      return;
    }
    socket.send(JSON.stringify({ seq: event.seq, type: event.type, t: event.t, data: event.data }));
    if (event.seq) lastSent = event.seq;
  };
  const unsubscribe = deps.hub.subscribe((event) => (pending ? pending.push(event) : send(event)));
  deps.metrics.wsClients.inc();
  socket.on('close', () => {
    unsubscribe();
    deps.metrics.wsClients.dec();
  });
  if (after === null) return;
  // The log since `after` may be a whole day: read and send it a page at a time, each once the last has drained.
  const backlog = async () => {
    for (let from = after; socket.readyState === socket.OPEN; ) {
      const page = await deps.log.read({ after: from, limit: BACKLOG_PAGE });
      for (const event of page) send(event);
      if (page.length < BACKLOG_PAGE) break;
      from = page[page.length - 1]!.seq;
      // A client that stops reading is cut off as one too far behind would be, not waited on for ever.
      for (let waited = 0; socket.bufferedAmount > MAX_WS_BUFFER / 2; waited += 20) {
        if (socket.readyState !== socket.OPEN) return;
        if (waited >= BACKLOG_DRAIN_MS) return socket.close(1013, 'too far behind');
        await sleep(20);
      }
    }
    for (const event of pending ?? []) send(event);
    pending = null;
  };
  backlog().catch((error: Error) => {
    deps.logger.error({ err: error }, 'cannot read the event log for a WebSocket backlog');
    socket.close(1011, 'event log unavailable');
  });
}

/** Mounts the staff pages, the ops dashboard and the shopper app with what they need from the running server. */
async function mountWeb(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const events = { subscribe: (fn: (e: LoggedEvent) => void) => deps.hub.subscribe(fn) };
  const settled = async () => {
    await deps.applied();
    await deps.hub.flush();
  };
  const evidence = {
    weightTrace: (plateIds: string[], t0: number, t1: number) => deps.traces.weightTrace(plateIds, t0, t1),
  };
  await webPlugin(app, {
    engine: deps.engine,
    store: deps.store,
    events,
    evidence,
    staffToken: deps.staffToken,
    settled,
  });
  const opsLog = deps.logger.child({ part: 'ops' });
  await opsPlugin(app, {
    engine: deps.engine,
    store: deps.store,
    events,
    evidence,
    staffToken: deps.staffToken,
    settled,
    ...(deps.mqttUrl ? { mqttUrl: deps.mqttUrl } : {}),
    onError: (error) => opsLog.error({ err: error }, 'ops dashboard'),
  });
  if (deps.shopper) {
    await deps.shopper.mount(app, () => deps.engine.snapshot());
    await staffDisputesPlugin(app, { journey: deps.shopper.journey, store: deps.store, staffToken: deps.staffToken });
  }
}
