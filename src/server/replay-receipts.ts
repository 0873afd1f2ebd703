/**
 * Collects every visit's receipt from a replay's decisions: the last `receipt.final` of each visit, and for visits that
 * never got one, their cart so far with the state that held it back (an open review, still inside, or no one entered).
 */
import type { CartLine } from '../cart/types.ts';
import { buildReceipt } from '../checkout/receipt.ts';
import type { Receipt, ReceiptLine } from '../checkout/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import type { Session } from '../identity/types.ts';
import type { Store } from '../store/store.ts';

export type ReplayReceiptStatus = 'final' | 'pending-review' | 'open' | 'no-entry';

/** The receipts file format of `walkout replay --receipts`. */
export interface ReplayReceipt {
  visit: string;
  account: string;
  lines: ReceiptLine[];
  total: number;
  status: ReplayReceiptStatus;
}

export class ReceiptCollector {
  private readonly sessions = new Map<string, Session>();
  private readonly finals = new Map<string, Receipt>();
  private readonly lines = new Map<string, CartLine[]>();
  private readonly timedOut = new Set<string>();

  constructor(private readonly store: Store) {}

  observe(event: EngineEvent): void {
    switch (event.type) {
      case 'session.opened':
        this.sessions.set(event.data.sessionId, event.data);
        break;
      case 'cart.line': {
        const list = this.lines.get(event.data.sessionId) ?? [];
        list.push(event.data);
        this.lines.set(event.data.sessionId, list);
        break;
      }
      case 'session.closed':
        if (event.data.reason === 'timeout') this.timedOut.add(event.data.sessionId);
        break;
      case 'receipt.final':
        this.finals.set(event.data.visit, event.data);
        break;
      default:
        break;
    }
  }

  /** Every visit in the order its session opened; `snapshot` tells which open reviews hold receipts back. */
  receipts(snapshot: EngineSnapshot): ReplayReceipt[] {
    const blocked = new Set(snapshot.reviews.flatMap((r) => r.blocking));
    const visits = [...this.sessions.keys(), ...[...this.finals.keys()].filter((v) => !this.sessions.has(v))];
    return visits.map((visit) => {
      const final = this.finals.get(visit);
      if (final?.status === 'final') return pick(final, 'final');
      const session = this.sessions.get(visit);
      const status: ReplayReceiptStatus = blocked.has(visit)
        ? 'pending-review'
        : this.timedOut.has(visit)
          ? 'no-entry'
          : 'open';
      if (!session) return pick(final as Receipt, status);
      const receipt = buildReceipt({
        store: this.store,
        session,
        lines: this.lines.get(visit) ?? [],
        status: status === 'pending-review' ? 'pending-review' : 'open',
        exited: null,
        finalAt: null,
      });
      return pick(receipt, status);
    });
  }
}

function pick(r: Receipt, status: ReplayReceiptStatus): ReplayReceipt {
  return { visit: r.visit, account: r.account, lines: r.lines, total: r.total, status };
}
