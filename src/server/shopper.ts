/**
 * The shopper journey (src/app/journey.ts) as the store server runs it: payment provider, receipt mailer (SMTP, or
 * `.eml` files in `<dataDir>/outbox/` when no mail server is configured), the entry QR secret (configured, or kept
 * in `<dataDir>/secrets.json`), and the gate's authorizer. With the simulator on, its demo codes are admitted next
 * to signed ones, but only for names that are not shopper accounts, and the simulator's visits are kept out of the
 * journey (no holds, captures or emails for accounts that do not exist). The authorizer handed to the engine is new
 * and, during recovery, answers each replayed scan as the log says it was answered (replay-authorizer.ts).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createShopperJourney, type ShopperJourney } from '../app/journey.ts';
import { createSmtpMailer, type Mailer } from '../checkout/email.ts';
import { createStripeProvider } from '../checkout/payments/stripe-provider.ts';
import { TestPaymentProvider } from '../checkout/payments/test-provider.ts';
import type { PaymentProvider } from '../checkout/payments/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import { withFallback } from '../identity/qr-authorizer.ts';
import type { EntryAuthorizer } from '../identity/types.ts';
import type { EventLog } from '../storage/event-log.ts';
import type { Store } from '../store/store.ts';
import type { ServerConfig } from './config.ts';
import type { EventHub } from './event-hub.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { type CatchUpReport, catchUpReceipts } from './receipt-catchup.ts';
import { loggedVerdicts, replayingAuthorizer } from './replay-authorizer.ts';
import { type QrSecret, resolveQrSecret } from './secrets.ts';

export interface StoreShopperOptions {
  config: ServerConfig;
  store: Store;
  hub: EventHub;
  log: EventLog;
  logger: Logger;
  /** The shopper app's address when configuration gives none (the HTTP address + `/app/`). */
  defaultAppUrl: string;
  /** Replaces the journey's gate check (tests); must be fresh. */
  authorizer?: EntryAuthorizer;
  /** The log position the journal's replay starts at (a journal pruned at an epoch), for the gate's past answers. */
  replayFrom?: number;
  onEmailed?: (visit: string, exitToEmailMs: number) => void;
}

export interface StoreShopper {
  journey: ShopperJourney;
  /** For the engine: fresh, and replay-safe until `live()`. */
  authorizer: EntryAuthorizer;
  appUrl: string;
  /** Where receipt emails go, for the banner: `smtp://host:port` or the outbox folder. */
  mail: string;
  outbox: string | null;
  payments: 'test' | 'stripe';
  qrSecret: Pick<QrSecret, 'source' | 'path'>;
  /** Recovery is over: the authorizer answers from now on. */
  live(): void;
  /** Hands the exit flow what the log holds and it missed, then starts it (resumes captures and emails). */
  start(logName: string): Promise<CatchUpReport>;
  mount(app: FastifyInstance, snapshot: () => EngineSnapshot): Promise<void>;
  close(): Promise<void>;
}

function providerFor(config: ServerConfig['shopper']): PaymentProvider {
  if (config.payments === 'test') return new TestPaymentProvider();
  const base = config.stripeApiBase ? new URL(config.stripeApiBase) : null;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return createStripeProvider({
    apiKey: config.stripeKey ?? '',
    ...(base
      ? { host: base.hostname, port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443, protocol }
      : {}),
  });
}

function mailerFor(
  o: StoreShopperOptions,
  dataDir: string,
): { mailer: Mailer & { close(): void }; mail: string; outbox: string | null } {
  const smtp = o.config.shopper.smtp;
  if (smtp) {
    const mailer = createSmtpMailer({
      host: smtp.host,
      port: smtp.port,
      from: smtp.from,
      ...(smtp.secure === undefined ? {} : { secure: smtp.secure }),
      ...(smtp.user && smtp.pass ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
    });
    return { mailer, mail: `smtp://${smtp.host}:${smtp.port} from ${smtp.from}`, outbox: null };
  }
  const dir = join(dataDir, 'outbox');
  const mailer = createOutboxMailer({
    dir,
    from: `"${o.store.def.name.replace(/"/g, '')}" <receipts@walkout.invalid>`,
    log: o.logger.child({ part: 'outbox' }),
  });
  return { mailer, mail: `${dir}/ (one .eml file per receipt; set shopper.smtp to send)`, outbox: dir };
}

/** Visits the journey handles: those of shopper accounts, not the simulator's demo names. */
function forShoppers(event: EngineEvent, known: (account: string) => boolean): boolean {
  if (event.type === 'session.opened' || event.type === 'receipt.final') return known(event.data.account);
  return true;
}

export async function createStoreShopper(o: StoreShopperOptions): Promise<StoreShopper> {
  const { config, store, hub, logger } = o;
  // An in-memory store keeps its accounts and ledger in memory too: nothing of it survives a restart.
  const dataDir = config.db === 'memory' ? null : config.dataDir;
  const qrSecret = resolveQrSecret(config.shopper.qrSecret, dataDir);
  const { mailer, mail, outbox } = mailerFor(o, config.dataDir);
  const appUrl = config.shopper.appUrl ?? o.defaultAppUrl;
  const log = logger.child({ part: 'shopper' });
  let journey: ShopperJourney | null = null;
  const known = (account: string): boolean => journey?.accounts.standing(account) !== undefined;
  try {
    journey = await createShopperJourney({
      store,
      dataDir,
      qrSecret: qrSecret.secret,
      provider: providerFor(config.shopper),
      mailer,
      events: { subscribe: (fn) => hub.subscribe((event) => (forShoppers(event, known) ? fn(event) : undefined)) },
      appUrl,
      autoRefundLimit: config.shopper.autoRefundLimit,
      defaultHold: config.shopper.defaultHold,
      taxRate: config.shopper.taxRate,
      timeZone: config.shopper.timeZone ?? store.def.timezone ?? 'UTC',
      log,
      onReview: (dispute) =>
        log.info(
          { disputeId: dispute.disputeId, visit: dispute.visit, amount: dispute.amount },
          'a dispute waits for a staff decision (GET /api/staff/disputes)',
        ),
      ...(o.onEmailed ? { onEmailed: o.onEmailed } : {}),
    });
  } catch (error) {
    mailer.close();
    throw error;
  }
  const ready = journey;
  const gate = o.authorizer ?? gateAuthorizer(ready, config.shopper.demoCodes, known);
  const authorizer = replayingAuthorizer(gate, await loggedVerdicts(o.log, o.replayFrom ?? 0));

  return {
    journey: ready,
    authorizer,
    appUrl,
    mail,
    outbox,
    payments: config.shopper.payments,
    qrSecret: { source: qrSecret.source, path: qrSecret.path },
    live: () => authorizer.live(),
    async start(logName) {
      const { report, steps, advance } = await catchUpReceipts({
        log: o.log,
        logName,
        ledger: ready.ledger,
        handles: known,
        dataDir,
      });
      if (report.added > 0 || report.refunds > 0 || report.releases > 0)
        log.info(report, 'final receipts, refunds and hold releases from the log handed to the exit flow');
      await ready.start();
      const { exitFlow } = ready;
      // The cursor moves once the steps are done (refunds wait for captures in flight, so start does not wait).
      void Promise.all(
        steps.map((s) => (s.kind === 'refund' ? exitFlow.refundFound(s.found) : exitFlow.releaseHold(s.visit))),
      )
        .then((done) => {
          const failed = steps.find((_, i) => !done[i]);
          if (failed) log.warn({ step: failed }, 'a catch-up step failed: read again at next start');
          advance(failed?.seq);
        })
        .catch((error: unknown) => log.error({ error: String(error) }, 'receipt catch-up cursor not saved'));
      return report;
    },
    async mount(app, snapshot) {
      await ready.mount(app, () => {
        const s = snapshot();
        return { sessions: s.sessions.filter((session) => known(session.account)), carts: s.carts };
      });
    },
    async close() {
      try {
        await ready.close();
      } finally {
        mailer.close();
      }
    },
  };
}

/** Signed codes; with demo codes on (the simulator), also those, which never admit under a shopper account's name. */
function gateAuthorizer(
  journey: ShopperJourney,
  demoCodes: boolean,
  known: (account: string) => boolean,
): EntryAuthorizer {
  if (!demoCodes) return journey.authorizer;
  const demo = createDemoAuthorizer();
  return withFallback(journey.authorizer, {
    authorize(code, t) {
      const verdict = demo.authorize(code, t);
      if (verdict.ok && known(verdict.account)) {
        return { ok: false, code: 'QR_INVALID', reason: 'a demo code cannot admit a shopper account' };
      }
      return verdict;
    },
  });
}
