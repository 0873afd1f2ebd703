/**
 * Stripe as a payment provider, through the official Node SDK: a hold is an uncaptured charge, the exit capture
 * captures it (or charges directly when there is no hold or the total outgrew it), refunds go against the charge.
 * Every request carries our idempotency key, so Stripe itself refuses to move money twice for one key.
 * `host`/`port`/`protocol` point it at a local stand-in in tests (stripe-stateful-mock); never the internet there.
 */
import Stripe from 'stripe';
import type { PaymentProvider, ProviderResult } from './types.ts';

export interface StripeProviderOptions {
  /** A secret key from configuration (`sk_live_…`/`sk_test_…`); never committed. */
  apiKey: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Network retries by the SDK; they reuse the idempotency key, so they are safe. */
  maxNetworkRetries?: number;
}

function failure(error: unknown): ProviderResult {
  if (error instanceof Stripe.errors.StripeCardError) {
    return { ok: false, code: 'DECLINED', reason: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, code: 'PROVIDER_ERROR', reason: message };
}

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const config: Stripe.StripeConfig = { maxNetworkRetries: options.maxNetworkRetries ?? 2 };
  if (options.host) config.host = options.host;
  if (options.port) config.port = options.port;
  if (options.protocol) config.protocol = options.protocol;
  const stripe = new Stripe(options.apiKey, config);
  const currency = (c: string): string => c.toLowerCase();

  return {
    name: 'stripe',
    async hold(req) {
      try {
        const charge = await stripe.charges.create(
          {
            amount: req.amount,
            currency: currency(req.currency),
            source: req.token,
            capture: false,
            metadata: { visit: req.visit },
          },
          { idempotencyKey: req.idempotencyKey },
        );
        return { ok: true, ref: charge.id };
      } catch (error) {
        return failure(error);
      }
    },
    async capture(req) {
      try {
        if (req.holdRef && req.amount <= req.heldAmount) {
          const charge = await stripe.charges.capture(
            req.holdRef,
            { amount: req.amount },
            { idempotencyKey: req.idempotencyKey },
          );
          return { ok: true, ref: charge.id };
        }
        if (!req.token) return { ok: false, code: 'DECLINED', reason: 'no card for a charge beyond the hold' };
        const charge = await stripe.charges.create(
          {
            amount: req.amount,
            currency: currency(req.currency),
            source: req.token,
            capture: true,
            metadata: { visit: req.visit },
          },
          { idempotencyKey: req.idempotencyKey },
        );
        return { ok: true, ref: charge.id };
      } catch (error) {
        return failure(error);
      }
    },
    async release(req) {
      try {
        // Refunding an uncaptured charge releases its authorisation.
        const refund = await stripe.refunds.create({ charge: req.holdRef }, { idempotencyKey: req.idempotencyKey });
        return { ok: true, ref: refund.id };
      } catch (error) {
        return failure(error);
      }
    },
    async refund(req) {
      try {
        const refund = await stripe.refunds.create(
          { charge: req.chargeRef, amount: req.amount },
          { idempotencyKey: req.idempotencyKey },
        );
        return { ok: true, ref: refund.id };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
