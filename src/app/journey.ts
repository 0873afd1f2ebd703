/**
 * The shopper journey wired in one place, the way `walkout serve` mounts it: accounts (SQLite or memory), signed
 * entry codes and the gate's QR authorizer, payments with their ledger, disputes, the exit flow (capture + receipt
 * email) and the shopper app plugin. Order of creation matters: the event hub first, then this (the engine needs
 * `authorizer`), then the engine, then `mount(app, snapshot)` and `start()`.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Mailer } from '../checkout/email.ts';
import { createExitFlow, type ExitFlow } from '../checkout/exit-flow.ts';
import { Disputes } from '../checkout/payments/disputes.ts';
import { MemoryCheckoutLedger } from '../checkout/payments/ledger.ts';
import { SqliteCheckoutLedger } from '../checkout/payments/ledger-sqlite.ts';
import { Payments } from '../checkout/payments/payments.ts';
import { TEST_CARDS } from '../checkout/payments/test-provider.ts';
import type { CheckoutLedger, DisputeRecord, PaymentProvider } from '../checkout/payments/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import { AccountsService } from '../identity/accounts.ts';
import type { ScryptCost } from '../identity/accounts-password.ts';
import { SqliteAccountStore } from '../identity/accounts-sqlite.ts';
import { type AccountStore, MemoryAccountStore } from '../identity/accounts-store.ts';
import { EntryCodes, entrySecret } from '../identity/entry-qr.ts';
import { createQrAuthorizer } from '../identity/qr-authorizer.ts';
import type { EntryAuthorizer } from '../identity/types.ts';
import type { Store } from '../store/store.ts';
import { appPlugin } from './plugin.ts';

export interface ShopperJourneyOptions {
  store: Store;
  /** Folder for `accounts.db` and `checkout.db`; null keeps everything in memory (demo, tests). */
  dataDir: string | null;
  /** HMAC key for entry codes, ≥ 32 characters, from configuration (WALKOUT_QR_SECRET). */
  qrSecret: string;
  provider: PaymentProvider;
  mailer: Mailer;
  /** Every engine decision (the server's event hub). */
  events: { subscribe(fn: (event: EngineEvent) => void): () => void };
  /** The app's public address, e.g. `https://shop.example/app` (receipt emails link to it). */
  appUrl: string;
  /** Disputes worth at most this (minor units) are refunded at once. */
  autoRefundLimit: number;
  /** Held on the card at entry when the shopper set no spending limit; null: no hold. */
  defaultHold?: number | null;
  taxRate?: number | null;
  timeZone?: string;
  entryTtlMs?: number;
  secureCookies?: boolean;
  clock?: () => number;
  log?: { warn(details: object, message: string): void };
  onReview?: (dispute: DisputeRecord) => void;
  onEmailed?: (visit: string, exitToEmailMs: number) => void;
  /** Tests only: a cheaper password hash. */
  scrypt?: ScryptCost;
}

export interface ShopperJourney {
  accounts: AccountsService;
  authorizer: EntryAuthorizer;
  entryCodes: EntryCodes;
  ledger: CheckoutLedger;
  payments: Payments;
  disputes: Disputes;
  exitFlow: ExitFlow;
  /** Registers the shopper app (pages, API, live WebSocket) on the server. */
  mount(app: FastifyInstance, snapshot?: () => Pick<EngineSnapshot, 'sessions' | 'carts'>): Promise<void>;
  /** Starts the exit flow (resumes unfinished captures and emails). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function createShopperJourney(o: ShopperJourneyOptions): Promise<ShopperJourney> {
  const secret = entrySecret(o.qrSecret);
  const accountStore: AccountStore = o.dataDir
    ? new SqliteAccountStore(join(o.dataDir, 'accounts.db'))
    : new MemoryAccountStore();
  const ledger: CheckoutLedger = o.dataDir
    ? new SqliteCheckoutLedger(join(o.dataDir, 'checkout.db'))
    : new MemoryCheckoutLedger();
  const accounts = await AccountsService.open({
    store: accountStore,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.scrypt ? { scrypt: o.scrypt } : {}),
  });
  const entryCodes = new EntryCodes({ secret, ...(o.entryTtlMs ? { ttlMs: o.entryTtlMs } : {}) });
  const authorizer = createQrAuthorizer({
    secret,
    ...(o.entryTtlMs ? { ttlMs: o.entryTtlMs } : {}),
    standing: (account) => accounts.standing(account),
  });
  const clock = o.clock ?? Date.now;
  const payments = new Payments({ ledger, provider: o.provider, tokenOf: (a) => accounts.paymentTokenOf(a), clock });
  const disputes = new Disputes({
    ledger,
    payments,
    autoRefundLimit: o.autoRefundLimit,
    clock,
    ...(o.onReview ? { onReview: o.onReview } : {}),
  });
  const exitFlow = createExitFlow({
    events: o.events,
    payments,
    ledger,
    mailer: o.mailer,
    emailOf: (account) => accounts.emailOf(account),
    holdFor: (account) => accounts.standing(account)?.spendingLimit ?? o.defaultHold ?? null,
    store: {
      name: o.store.def.name,
      currency: o.store.def.currency,
      timeZone: o.timeZone ?? 'UTC',
      taxRate: o.taxRate ?? null,
    },
    appUrl: o.appUrl,
    clock,
    disputes,
    ...(o.log ? { log: o.log } : {}),
    ...(o.onEmailed ? { onEmailed: o.onEmailed } : {}),
  });
  const testCards =
    o.provider.name === 'test'
      ? [
          { token: TEST_CARDS.ok, label: 'Visa test card' },
          { token: TEST_CARDS.declinedAtCapture, label: 'Test card declined at exit' },
        ]
      : [];

  return {
    accounts,
    authorizer,
    entryCodes,
    ledger,
    payments,
    disputes,
    exitFlow,
    async mount(app, snapshot) {
      await appPlugin(app, {
        accounts,
        entryCodes,
        events: o.events,
        store: o.store,
        ledger,
        disputes,
        testCards,
        clock,
        secureCookies: o.secureCookies ?? false,
        onCardSet: (account) => void exitFlow.retryDeclined(account),
        ...(snapshot ? { snapshot } : {}),
      });
    },
    start: () => exitFlow.start(),
    async close() {
      exitFlow.stop();
      await exitFlow.idle();
      await ledger.close();
      await accountStore.close();
    },
  };
}
