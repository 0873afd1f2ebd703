/**
 * Items found on the floor, from the staff pages [F17]: `POST /api/staff/found` `{sku, at}` reports one (as the
 * console's handheld would), `POST /api/staff/found/:foundId/assign` `{sessionId}` says whose a find left to staff
 * was (one of its candidates, or null for nobody's). Both become messages of the `console` handheld, so they are
 * journalled and replayed like any device's; the waiting finds are in the engine's snapshot. The message is checked
 * here first so a bad one gets a 400, not just a line in the log.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Engine } from '../engine/types.ts';
import { type DeviceMessageKind, foundAssignSchema, itemFoundSchema } from '../protocol/messages.ts';
import { topicFor } from '../protocol/topics.ts';
import { validateMessage } from '../protocol/validate.ts';
import type { Store } from '../store/store.ts';
import { requireStaffApi, staffFromRequest } from './auth.ts';

/** The handheld id the staff pages report under. */
export const CONSOLE_HANDHELD = 'console';

// The request bodies are the handheld messages' own fields (src/protocol/messages.ts), stamped here.
const reportSchema = itemFoundSchema.pick({ sku: true, at: true }).strict();
const assignSchema = foundAssignSchema.pick({ sessionId: true }).strict();

export function registerFoundRoutes(
  scope: FastifyInstance,
  deps: { engine: Engine; store: Store; staffToken: string },
): void {
  const { engine, store, staffToken } = deps;
  const api = requireStaffApi(staffToken);
  let lastTs = 0;
  /** Finds answered from here and not yet gone from the waiting list: a second click is not a second answer. */
  const answering = new Set<string>();
  /**
   * Sends one console message. Staff messages apply at the engine's own event time; their `ts` only names them, so
   * the edge's clock is fine here, never the same ms twice.
   */
  const send = (reply: FastifyReply, kind: DeviceMessageKind, body: object) => {
    lastTs = Math.max(Date.now(), lastTs + 1);
    const topic = topicFor(store.def.id, kind, CONSOLE_HANDHELD);
    const payload = { v: 1, ts: lastTs, ...body };
    const valid = validateMessage(store, topic, payload);
    if (!valid.ok) return reply.code(400).send({ ok: false, code: valid.code, reason: valid.reason });
    engine.ingest(topic, payload);
    return { ok: true, t: lastTs };
  };

  scope.post<{ Body: unknown }>('/api/staff/found', { onRequest: api }, (request, reply) => {
    const body = reportSchema.safeParse(request.body);
    if (!body.success)
      return reply.code(400).send({ ok: false, code: 'BAD_FIND', reason: 'send {"sku", "at": [x, y]}' });
    return send(reply, 'item.found', body.data);
  });

  scope.post<{ Params: { foundId: string }; Body: unknown }>(
    '/api/staff/found/:foundId/assign',
    { onRequest: api },
    (request, reply) => {
      const body = assignSchema.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ ok: false, code: 'BAD_ASSIGN', reason: 'send {"sessionId"}' });
      const waiting = engine.snapshot().found;
      for (const id of answering) if (!waiting.some((f) => f.foundId === id)) answering.delete(id);
      const find = waiting.find((f) => f.foundId === request.params.foundId);
      if (!find || answering.has(find.foundId))
        return reply.code(404).send({ ok: false, code: 'NO_SUCH_FIND', reason: 'not waiting for staff' });
      const { sessionId } = body.data;
      if (sessionId !== null && !find.candidates.some((c) => c.sessionId === sessionId))
        return reply.code(400).send({ ok: false, code: 'NOT_A_CANDIDATE', reason: `${sessionId} is not a candidate` });
      answering.add(find.foundId);
      const staff = staffFromRequest(request, staffToken)?.name ?? 'staff';
      return send(reply, 'found.assign', { foundId: find.foundId, sessionId, staff });
    },
  );
}
