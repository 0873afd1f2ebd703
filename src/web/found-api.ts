/**
 * Items found on the floor, from the staff pages [F17]: `POST /api/staff/found` `{sku, at}` reports one (as the
 * console's handheld would), `POST /api/staff/found/:foundId/assign` `{sessionId}` says whose a find left to staff
 * was (one of its candidates, or null for nobody's). Both become messages of the `console` handheld
 * (console-handheld.ts); the waiting finds are in the engine's snapshot.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { foundAssignSchema, itemFoundSchema } from '../protocol/messages.ts';
import { requireStaffApi, staffFromRequest } from './auth.ts';
import { type ConsoleDeps, type ConsoleSend, consoleHandheld } from './console-handheld.ts';

// The request bodies are the handheld messages' own fields (src/protocol/messages.ts), stamped here.
const reportSchema = itemFoundSchema.pick({ sku: true, at: true }).strict();
const assignSchema = foundAssignSchema.pick({ sessionId: true }).strict();

export function registerFoundRoutes(scope: FastifyInstance, deps: ConsoleDeps & { staffToken: string }): void {
  const { engine, staffToken } = deps;
  const api = requireStaffApi(staffToken);
  const handheld = consoleHandheld(deps);
  /** Finds answered from here and not yet gone from the waiting list: a second click is not a second answer. */
  const answering = new Set<string>();
  const answer = (reply: FastifyReply, sent: Awaited<ReturnType<ConsoleSend>>) =>
    sent.ok ? { ok: true, t: sent.value.t } : reply.code(400).send({ ok: false, code: sent.code, reason: sent.reason });

  scope.post<{ Body: unknown }>('/api/staff/found', { onRequest: api }, async (request, reply) => {
    const body = reportSchema.safeParse(request.body);
    if (!body.success)
      return reply.code(400).send({ ok: false, code: 'BAD_FIND', reason: 'send {"sku", "at": [x, y]}' });
    return answer(reply, await handheld('item.found', body.data));
  });

  scope.post<{ Params: { foundId: string }; Body: unknown }>(
    '/api/staff/found/:foundId/assign',
    { onRequest: api },
    async (request, reply) => {
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
      const sent = await handheld('found.assign', { foundId: find.foundId, sessionId, staff });
      if (!sent.ok) answering.delete(find.foundId);
      return answer(reply, sent);
    },
  );
}
