/**
 * The shopper app's JSON API under `/api/app/...`: sign-up/in/out (rate limited), the card (a provider token),
 * spending limit, the rotating entry QR, the shopper's own live carts and receipts, and disputes on receipt lines.
 * Every read is scoped to the signed-in account: another shopper's cart or receipt is answered exactly like one
 * that does not exist (404), so ids cannot be probed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Disputes } from '../checkout/payments/disputes.ts';
import { type CheckoutLedger, refundedOf } from '../checkout/payments/types.ts';
import type { AccountsService, PublicAccount } from '../identity/accounts.ts';
import { type EntryCodes, MAX_PARTY } from '../identity/entry-qr.ts';
import { requireShopper, signInCookie, signOutCookie, tokenOf } from './auth.ts';
import type { LiveCarts } from './live-carts.ts';
import { RateLimiter } from './rate-limit.ts';

export interface ApiDeps {
  accounts: AccountsService;
  entryCodes: EntryCodes;
  ledger: CheckoutLedger;
  disputes: Disputes;
  carts: LiveCarts;
  store: { name: string; currency: string };
  /** Card tokens the app offers as buttons (the test provider's); empty for a real provider. */
  testCards: readonly { token: string; label: string }[];
  clock: () => number;
  secureCookies: boolean;
  signInLimit: { perAddress: number; perEmail: number; windowMs: number };
  /** Told when a shopper sets a card: their declined visits are charged again (the exit flow's retryDeclined). */
  onCardSet?: (account: string) => void;
}

const credentials = z.object({ email: z.string().max(254), password: z.string().max(200) });
const card = z.object({ token: z.string().max(120), label: z.string().max(60).optional() });
const limit = z.object({ limit: z.number().int().positive().max(100_000_000).nullable() });
const party = z.object({ partySize: z.number().int().min(1).max(MAX_PARTY).default(1) });
const dispute = z.object({
  sku: z.string().min(1).max(64),
  qty: z.number().int().positive().optional(),
  reason: z.string().max(500).default(''),
});

const SIGN_IN_DAYS = 30;

function parse<T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | null {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  void reply.code(400).send({ error: 'BAD_REQUEST', message: r.error.issues.map((i) => i.message).join('; ') });
  return null;
}

const me = (request: FastifyRequest): PublicAccount => request.shopper as PublicAccount;

export function registerApi(scope: FastifyInstance, deps: ApiDeps): void {
  const { accounts } = deps;
  const byAddress = new RateLimiter({ limit: deps.signInLimit.perAddress, windowMs: deps.signInLimit.windowMs });
  const byEmail = new RateLimiter({ limit: deps.signInLimit.perEmail, windowMs: deps.signInLimit.windowMs });
  const auth = requireShopper(accounts);

  const limited = (request: FastifyRequest, reply: FastifyReply, email: string): boolean => {
    const now = deps.clock();
    const verdicts = [byAddress.hit(request.ip, now), byEmail.hit(email.trim().toLowerCase(), now)];
    const refused = verdicts.find((v) => !v.ok);
    if (!refused || refused.ok) return false;
    void reply
      .code(429)
      .header('retry-after', Math.ceil(refused.retryAfterMs / 1000))
      .send({ error: 'TOO_MANY_ATTEMPTS', message: 'too many attempts: wait a minute' });
    return true;
  };

  const signedIn = (reply: FastifyReply, account: PublicAccount, token: string) =>
    reply.header('set-cookie', signInCookie(token, SIGN_IN_DAYS * 86_400, deps.secureCookies)).send({ account });

  scope.post('/api/app/signup', async (request, reply) => {
    const body = parse(credentials, request.body, reply);
    if (!body || limited(request, reply, body.email)) return reply;
    const r = await accounts.signUp(body.email, body.password);
    if (!r.ok) return reply.code(r.code === 'EMAIL_TAKEN' ? 409 : 400).send({ error: r.code, message: r.reason });
    return signedIn(reply.code(201), r.value.account, r.value.token);
  });

  scope.post('/api/app/signin', async (request, reply) => {
    const body = parse(credentials, request.body, reply);
    if (!body || limited(request, reply, body.email)) return reply;
    const r = await accounts.signIn(body.email, body.password);
    if (!r.ok) return reply.code(401).send({ error: r.code, message: r.reason });
    return signedIn(reply, r.value.account, r.value.token);
  });

  scope.post('/api/app/signout', async (request, reply) => {
    const token = tokenOf(request);
    if (token) await accounts.signOut(token);
    return reply.header('set-cookie', signOutCookie(deps.secureCookies)).send({ ok: true });
  });

  scope.get('/api/app/me', { preHandler: auth }, async (request) => ({
    account: me(request),
    store: deps.store,
    testCards: deps.testCards,
  }));

  scope.put('/api/app/card', { preHandler: auth }, async (request, reply) => {
    const body = parse(card, request.body, reply);
    if (!body) return reply;
    const known = deps.testCards.find((c) => c.token === body.token);
    const r = await accounts.setPaymentMethod(me(request).id, body.token, body.label ?? known?.label ?? 'card');
    if (!r.ok) return reply.code(400).send({ error: r.code, message: r.reason });
    deps.onCardSet?.(r.value.id);
    return { account: r.value };
  });

  scope.delete('/api/app/card', { preHandler: auth }, async (request) => {
    const r = await accounts.removePaymentMethod(me(request).id);
    return { account: r.ok ? r.value : me(request) };
  });

  scope.put('/api/app/spending-limit', { preHandler: auth }, async (request, reply) => {
    const body = parse(limit, request.body, reply);
    if (!body) return reply;
    const r = await accounts.setSpendingLimit(me(request).id, body.limit);
    return { account: r.ok ? r.value : me(request) };
  });

  scope.post('/api/app/entry-code', { preHandler: auth }, async (request, reply) => {
    const body = parse(party, request.body, reply);
    if (!body) return reply;
    const account = me(request);
    const issued = deps.entryCodes.issue(account.id, body.partySize, deps.clock());
    const svg = await QRCode.toString(issued.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply.header('cache-control', 'no-store').send({
      code: issued.code,
      partySize: body.partySize,
      issuedAt: issued.claims.iat,
      expiresAt: issued.expiresAt,
      image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
      ready: account.paymentMethod !== null && !account.blocked,
    });
  });

  scope.get('/api/app/carts', { preHandler: auth }, async (request) => ({ carts: deps.carts.cartsOf(me(request).id) }));

  scope.get<{ Params: { sessionId: string } }>(
    '/api/app/carts/:sessionId',
    { preHandler: auth },
    async (request, reply) => {
      const found = deps.carts.cart(request.params.sessionId);
      if (!found || found.account !== me(request).id) return reply.code(404).send({ error: 'NO_SUCH_CART' });
      return { cart: found.view };
    },
  );

  scope.get('/api/app/receipts', { preHandler: auth }, async (request) => {
    const records = await deps.ledger.receiptsOf(me(request).id, 50);
    return { receipts: records.map((r) => r.receipt) };
  });

  scope.get<{ Params: { visit: string } }>('/api/app/receipts/:visit', { preHandler: auth }, async (request, reply) => {
    const record = await deps.ledger.receipt(request.params.visit);
    if (!record || record.receipt.account !== me(request).id) return reply.code(404).send({ error: 'NO_SUCH_RECEIPT' });
    const payment = await deps.ledger.payment(record.receipt.visit);
    const disputes = await deps.ledger.disputesOf(record.receipt.visit);
    // From the refund records themselves, which the payment's running total only follows.
    const refunded = refundedOf(await deps.ledger.refunds(record.receipt.visit));
    return {
      receipt: record.receipt,
      payment: payment ? { status: payment.status, captured: payment.captured, refunded } : null,
      disputes: disputes.map(({ disputeId, sku, qty, amount, status }) => ({ disputeId, sku, qty, amount, status })),
    };
  });

  scope.post<{ Params: { visit: string } }>(
    '/api/app/receipts/:visit/disputes',
    { preHandler: auth },
    async (request, reply) => {
      const body = parse(dispute, request.body, reply);
      if (!body) return reply;
      const r = await deps.disputes.open({ visit: request.params.visit, account: me(request).id, ...body });
      if (r.ok) return reply.code(201).send({ dispute: r.value });
      const status = r.code === 'NO_SUCH_RECEIPT' ? 404 : r.code === 'ALREADY_DISPUTED' ? 409 : 400;
      return reply.code(status).send({ error: r.code, message: r.reason });
    },
  );
}
