/**
 * Disputes for staff, over the staff API: `GET /api/staff/disputes` lists those waiting for a decision (oldest
 * first, with the product's name and the shopper's email) and the visits whose capture was declined;
 * `POST /api/staff/disputes/:id/decide` `{approve}` refunds or rejects one, recorded under the signed-in staff
 * member's name. Behind the staff token like every staff page (src/web/auth.ts); the staff disputes page
 * (src/web/public/disputes.html) is its face.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Disputes } from '../checkout/payments/disputes.ts';
import { NO_ANSWER } from '../checkout/payments/payments.ts';
import type { CheckoutLedger } from '../checkout/payments/types.ts';
import type { AccountsService } from '../identity/accounts.ts';
import type { Store } from '../store/store.ts';
import { requireStaffApi, staffFromRequest } from '../web/auth.ts';

const decisionSchema = z.strictObject({ approve: z.boolean() });
const STATUS = { NO_SUCH_DISPUTE: 404, ALREADY_DECIDED: 409, REFUND_FAILED: 502 } as const;

/** What the API needs of the shopper journey (src/app/journey.ts). */
export interface StaffDisputesJourney {
  disputes: Pick<Disputes, 'inReview' | 'decide'>;
  ledger: Pick<CheckoutLedger, 'declined' | 'unsettled'>;
  accounts: Pick<AccountsService, 'emailOf'>;
}

export async function staffDisputesPlugin(
  app: FastifyInstance,
  deps: { journey: StaffDisputesJourney; store: Store; staffToken: string },
): Promise<void> {
  const { journey, staffToken } = deps;
  const api = requireStaffApi(staffToken);
  await app.register(async (scope) => {
    scope.get('/api/staff/disputes', { onRequest: api }, async () => {
      const open = await journey.disputes.inReview();
      const disputes = await Promise.all(
        open.map(async (d) => ({
          ...d,
          name: deps.store.products.get(d.sku)?.name ?? d.sku,
          email: await journey.accounts.emailOf(d.account),
        })),
      );
      // Declined captures, and captures with no answer for a day: both for staff to follow up.
      const stuck = (await journey.ledger.unsettled()).filter((p) => p.reason === NO_ANSWER);
      const declined = [...(await journey.ledger.declined()), ...stuck].map((p) => ({
        visit: p.visit,
        account: p.account,
        amount: p.amount,
        currency: p.currency,
        reason: p.reason,
        updated: p.updated,
      }));
      return { disputes, declined, currency: deps.store.def.currency };
    });
    scope.post<{ Params: { id: string }; Body: unknown }>(
      '/api/staff/disputes/:id/decide',
      { onRequest: api },
      async (request, reply) => {
        const body = decisionSchema.safeParse(request.body);
        if (!body.success) {
          return reply.code(400).send({ ok: false, code: 'BAD_DECISION', reason: 'send {"approve": true|false}' });
        }
        const reviewer = staffFromRequest(request, staffToken)?.name ?? 'staff';
        const decided = await journey.disputes.decide(request.params.id, body.data.approve, reviewer);
        if (!decided.ok) return reply.code(STATUS[decided.code]).send(decided);
        return { ok: true, dispute: decided.value };
      },
    );
  });
}
