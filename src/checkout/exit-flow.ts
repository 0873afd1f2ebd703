/**
 * From the engine's decisions to money and mail: on `session.opened` place a hold on the shopper's card; on
 * `receipt.final` record the receipt, capture the total once (idempotent per visit, see payments.ts) and send the
 * receipt email; on an item found on the floor after the receipt was final, refund that line; a party that never
 * came in gets its hold released. Replaying the same events (a restart replays the log) charges, refunds and mails
 * nothing twice: the ledger remembers. A declined card keeps the visit, flagged in the ledger, and the email says so;
 * when the shopper sets a new card, `retryDeclined` charges those visits again and mails each once it is paid.
 * Lifecycle: `start()` subscribes and resumes unfinished work, then retries it every `retryEveryMs`; `stop()`
 * unsubscribes and stops retrying; `idle()` waits for work in flight.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { FoundItem } from '../engine/found-items.ts';
import type { Session } from '../identity/types.ts';
import { type Mailer, renderReceiptEmail } from './email.ts';
import type { Disputes } from './payments/disputes.ts';
import type { Payments } from './payments/payments.ts';
import type { CheckoutLedger } from './payments/types.ts';
import type { Receipt } from './types.ts';

export interface ExitFlowDeps {
  events: { subscribe(fn: (event: EngineEvent) => void): () => void };
  payments: Payments;
  ledger: CheckoutLedger;
  mailer: Mailer;
  /** The shopper's email address (accounts.emailOf). */
  emailOf(account: string): Promise<string | null>;
  /** Amount to hold at entry (e.g. the spending limit), or null for no hold. */
  holdFor?(account: string): number | null;
  store: { name: string; currency: string; timeZone?: string; taxRate?: number | null };
  /** The shopper app's public address, e.g. `https://shop.example/app`; receipts link to it for disputes. */
  appUrl: string;
  clock?: () => number;
  log?: { warn(details: object, message: string): void };
  /** Told each time a receipt email goes out: ms from the shopper's exit to the email. */
  onEmailed?(visit: string, exitToEmailMs: number): void;
  /** Refunds a line the engine corrected after the receipt was final (an item found on the floor). */
  disputes: Pick<Disputes, 'credit'>;
  /**
   * Unfinished work (a capture with no answer, a receipt email that failed) is tried again this often while running,
   * wall ms (default a minute), not only at the next start.
   */
  retryEveryMs?: number;
}

export interface ExitFlow {
  start(): Promise<void>;
  stop(): void;
  /** Resolves once every piece of work started so far has finished. */
  idle(): Promise<void>;
  /** Exit → email times of the receipts sent since start, ms (last 1000). */
  exitToEmailMs(): number[];
  /**
   * Refunds an item found after its receipt was final (start-up catch-up; idempotent per find). Resolves true once
   * done, false when the step failed (logged).
   */
  refundFound(found: FoundItem): Promise<boolean>;
  /**
   * The shopper's card changed: each of their declined visits is charged again (a new attempt, new key) and, once
   * paid, mailed its receipt again saying so. Resolves once done (false when a step failed, logged).
   */
  retryDeclined(account: string): Promise<boolean>;
  /** Releases the hold of a visit that timed out (start-up catch-up; idempotent). Resolves as `refundFound`. */
  releaseHold(visit: string): Promise<boolean>;
}

export function receiptUrl(appUrl: string, visit: string): string {
  return `${appUrl.replace(/\/$/, '')}/#receipt/${encodeURIComponent(visit)}`;
}

export function createExitFlow(deps: ExitFlowDeps): ExitFlow {
  const clock = deps.clock ?? Date.now;
  const inFlight = new Set<Promise<boolean>>();
  const latencies: number[] = [];
  /** Captures in flight per visit: a refund for the visit waits for its capture. */
  const settling = new Map<string, Promise<boolean>>();
  let unsubscribe: (() => void) | null = null;
  let retrying: NodeJS.Timeout | null = null;

  /** Runs a step in the background; a failure is logged, and the returned promise says whether it succeeded. */
  const track = (work: Promise<void>): Promise<boolean> => {
    const done = work.then(
      () => true,
      (error: unknown) => {
        deps.log?.warn({ error: String(error) }, 'exit flow step failed');
        return false;
      },
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
    return done;
  };

  const refundFound = async (found: FoundItem): Promise<void> => {
    const visit = found.sessionId;
    if (visit === null) return;
    await settling.get(visit);
    // Not a visit this flow charged (the simulator's demo shoppers in `walkout serve`): nothing to refund.
    if (!(await deps.ledger.receipt(visit))) return;
    const by = found.assignedBy ?? 'engine';
    const request = { visit, sku: found.sku, qty: 1, key: found.foundId, reason: 'found on the floor', by };
    const credited = await deps.disputes.credit(request);
    // A refund that failed is asked again (the catch-up keeps its place); anything else will never refund.
    if (!credited.ok && credited.code === 'REFUND_FAILED') throw new Error(`${visit}: ${credited.reason}`);
    if (!credited.ok) deps.log?.warn({ visit, sku: found.sku, code: credited.code }, 'found item not refunded');
  };

  const hold = async (session: Session): Promise<void> => {
    if (session.staff) return;
    const amount = deps.holdFor?.(session.account) ?? null;
    if (amount === null || amount <= 0) return;
    const visit = { visit: session.sessionId, account: session.account, currency: deps.store.currency };
    const held = await deps.payments.preauthorize(visit, amount);
    if (!held.ok) deps.log?.warn({ visit: session.sessionId, code: held.code }, 'no hold placed at entry');
  };

  const settle = async (receipt: Receipt): Promise<void> => {
    const known = await deps.ledger.receipt(receipt.visit);
    if (known?.emailedAt != null) return; // done before (a replayed event)
    if (!known) await deps.ledger.putReceipt({ receipt, emailedAt: null, emailError: null });
    const stored = known?.receipt ?? receipt;
    // A receipt whose mail failed after its card was declined is mailed again, not charged again: a new attempt
    // at the card is staff's call (or the shopper's new card), not a retry's every minute.
    if (known && (await deps.ledger.payment(stored.visit))?.status === 'declined') return mail(stored, 'declined');
    const visit = { visit: stored.visit, account: stored.account, currency: stored.currency };
    const captured = await deps.payments.capture(visit, stored.total);
    const payment = captured.ok ? 'captured' : captured.code === 'PROVIDER_ERROR' ? 'pending' : 'declined';
    if (!captured.ok) deps.log?.warn({ visit: stored.visit, code: captured.code }, 'capture failed; visit flagged');
    await mail(stored, payment);
  };

  const mail = async (receipt: Receipt, payment: 'captured' | 'declined' | 'pending'): Promise<void> => {
    const to = await deps.emailOf(receipt.account);
    if (!to) return;
    const message = renderReceiptEmail(receipt, {
      storeName: deps.store.name,
      timeZone: deps.store.timeZone ?? 'UTC',
      taxRate: deps.store.taxRate ?? null,
      disputeUrl: receiptUrl(deps.appUrl, receipt.visit),
      payment,
    });
    try {
      await deps.mailer.send({ to, ...message });
    } catch (error) {
      await deps.ledger.putReceipt({ receipt, emailedAt: null, emailError: String(error) });
      throw error;
    }
    const at = clock();
    await deps.ledger.putReceipt({ receipt, emailedAt: at, emailError: null });
    const ms = at - (receipt.exited ?? receipt.finalAt ?? at);
    latencies.push(ms);
    if (latencies.length > 1000) latencies.shift();
    deps.onEmailed?.(receipt.visit, ms);
  };

  /** One settle per visit at a time: a retry never mails a receipt whose first try is still in flight. */
  const settleOnce = (receipt: Receipt): void => {
    if (settling.has(receipt.visit)) return;
    const done = track(settle(receipt));
    settling.set(receipt.visit, done);
    void done.finally(() => settling.delete(receipt.visit));
  };

  /**
   * Captures sent but not answered (a crash, a provider error), receipts not yet mailed (a mail outage). A resend
   * that changes what the shopper was last told is mailed: declined after "on its way", paid after "declined".
   */
  const finishUnfinished = async (): Promise<void> => {
    const { declined, recharged } = await deps.payments.resume();
    const told = [...declined.map((v) => [v, 'declined'] as const), ...recharged.map((v) => [v, 'captured'] as const)];
    for (const [visit, payment] of told) {
      await settling.get(visit);
      const stored = await deps.ledger.receipt(visit);
      if (stored?.emailedAt != null) await mail(stored.receipt, payment);
    }
    for (const pending of await deps.ledger.unsent()) settleOnce(pending.receipt);
  };

  const retryDeclined = async (account: string): Promise<void> => {
    for (const payment of await deps.ledger.declined()) {
      if (payment.account !== account) continue;
      const stored = await deps.ledger.receipt(payment.visit);
      if (!stored) continue;
      await settling.get(payment.visit);
      const visit = { visit: payment.visit, account, currency: payment.currency };
      const captured = await deps.payments.capture(visit, stored.receipt.total);
      if (captured.ok && !captured.value.alreadyCaptured) await mail(stored.receipt, 'captured');
      else if (!captured.ok)
        deps.log?.warn({ visit: payment.visit, code: captured.code }, 'declined visit not charged');
    }
  };

  /** A party that scanned but never came in: nothing to charge, so its hold goes. */
  const letGo = async (visit: string): Promise<void> => {
    const released = await deps.payments.release(visit);
    if (!released.ok && released.code !== 'NO_HOLD') throw new Error(`${visit}: ${released.reason}`);
    if (released.ok && released.value.reason) deps.log?.warn({ visit, reason: released.value.reason }, 'hold kept');
  };

  const onEvent = (event: EngineEvent): void => {
    if (event.type === 'session.opened') track(hold(event.data));
    else if (event.type === 'session.closed' && event.data.reason === 'timeout') track(letGo(event.data.sessionId));
    else if (event.type === 'receipt.final' && event.data.status === 'final') settleOnce(event.data);
    else if (event.type === 'item.found' && event.data.afterFinal) track(refundFound(event.data));
  };

  return {
    async start() {
      if (unsubscribe) return;
      unsubscribe = deps.events.subscribe(onEvent);
      await finishUnfinished();
      if (!unsubscribe) return; // stopped meanwhile
      let last: Promise<boolean> = Promise.resolve(true);
      retrying = setInterval(() => {
        // One round at a time: a slow provider does not stack rounds up.
        if (!inFlight.has(last)) last = track(finishUnfinished());
      }, deps.retryEveryMs ?? 60_000);
      retrying.unref();
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (retrying) clearInterval(retrying);
      retrying = null;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    exitToEmailMs: () => [...latencies],
    refundFound: (found) => track(refundFound(found)),
    retryDeclined: (account) => track(retryDeclined(account)),
    releaseHold: (visit) => track(letGo(visit)),
  };
}
