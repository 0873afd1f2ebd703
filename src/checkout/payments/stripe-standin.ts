/**
 * A local Stripe stand-in for tests: stripe-stateful-mock (a dev dependency) on a free localhost port, so the
 * Stripe provider is tested through the real SDK without the internet. Its magic tokens: `tok_visa` succeeds,
 * `tok_chargeDeclined` declines. Test-only: nothing in the server imports this.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

interface ExpressLike {
  listen(port: number, host: string): Server;
}

export interface StripeStandIn {
  port: number;
  /** An API key the stand-in accepts (any `sk_test_…`). */
  apiKey: string;
  close(): Promise<void>;
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const require = createRequire(import.meta.url);
  const mock = require('stripe-stateful-mock') as { createExpressApp(): ExpressLike };
  const server = mock.createExpressApp().listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    apiKey: 'sk_test_walkout_standin',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
