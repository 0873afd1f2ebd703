/**
 * The shopper app's view of live carts: a projection of engine events (`session.opened`, `cart.line`,
 * `session.closed`, `receipt.final`) into one cart per session, indexed by the account that owns it, so a shopper
 * is only ever shown their own. Finished carts are kept a while (event time) so the app can show "receipt on its
 * way", then dropped; memory follows the shoppers in the store.
 */
import { projectCarts } from '../cart/ledger.ts';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { Session } from '../identity/types.ts';

export type CartState = 'admitted' | 'inside' | 'exited' | 'final' | 'expired';

export interface CartViewLine {
  sku: string;
  name: string;
  qty: number;
  unitPrice: number;
  amount: number;
}

export interface CartView {
  sessionId: string;
  partySize: number;
  opened: number;
  state: CartState;
  lines: CartViewLine[];
  total: number;
  currency: string;
  /** Event time of the last change. */
  updated: number;
}

interface Entry {
  account: string;
  session: Pick<Session, 'sessionId' | 'partySize' | 'opened'>;
  state: CartState;
  lines: CartLine[];
  finalTotal: number | null;
  updated: number;
}

export interface LiveCartsOptions {
  productName(sku: string): string | undefined;
  currency: string;
  /** How long a finished cart stays visible, ms of event time. */
  keepMs?: number;
}

export class LiveCarts {
  private readonly entries = new Map<string, Entry>();
  private newest = 0;

  constructor(private readonly options: LiveCartsOptions) {}

  /** Starts from the engine's picture (after a restart); staff sessions are not shown. */
  seed(sessions: Session[], carts: Record<string, { lines: CartLine[] }>): void {
    for (const s of sessions) {
      if (s.staff) continue;
      const state: CartState = s.state === 'admitted' || s.state === 'inside' ? s.state : 'exited';
      this.entries.set(s.sessionId, {
        account: s.account,
        session: s,
        state,
        lines: [...(carts[s.sessionId]?.lines ?? [])],
        finalTotal: null,
        updated: s.opened,
      });
    }
  }

  /** Applies one event; returns the account whose carts changed, or null. */
  apply(event: EngineEvent): string | null {
    this.newest = Math.max(this.newest, event.t);
    this.expire();
    switch (event.type) {
      case 'session.opened': {
        const s = event.data;
        if (s.staff) return null;
        this.entries.set(s.sessionId, {
          account: s.account,
          session: s,
          state: 'admitted',
          lines: [],
          finalTotal: null,
          updated: event.t,
        });
        return s.account;
      }
      case 'session.bound':
        return this.update(event.data.sessionId, event.t, (e) => {
          if (e.state === 'admitted') e.state = 'inside';
        });
      case 'cart.line':
        return this.update(event.data.sessionId, event.t, (e) => {
          if (!e.lines.some((l) => l.lineId === event.data.lineId)) e.lines.push(event.data);
          if (e.state === 'admitted') e.state = 'inside';
        });
      case 'session.closed':
        return this.update(event.data.sessionId, event.t, (e) => {
          e.state = event.data.reason === 'exit' ? 'exited' : 'expired';
        });
      case 'receipt.final':
        return this.update(event.data.visit, event.t, (e) => {
          e.state = 'final';
          e.finalTotal = event.data.total;
        });
      default:
        return null;
    }
  }

  cartsOf(account: string): CartView[] {
    return [...this.entries.entries()]
      .filter(([, e]) => e.account === account)
      .map(([id, e]) => this.view(id, e))
      .sort((a, b) => b.opened - a.opened);
  }

  /** A cart with its owner, for the ownership check. */
  cart(sessionId: string): { account: string; view: CartView } | undefined {
    const e = this.entries.get(sessionId);
    return e ? { account: e.account, view: this.view(sessionId, e) } : undefined;
  }

  private update(sessionId: string, t: number, change: (e: Entry) => void): string | null {
    const e = this.entries.get(sessionId);
    if (!e) return null;
    change(e);
    e.updated = t;
    return e.account;
  }

  private expire(): void {
    const keep = this.options.keepMs ?? 600_000;
    for (const [id, e] of this.entries) {
      const done = e.state === 'final' || e.state === 'expired';
      if (done && this.newest - e.updated > keep) this.entries.delete(id);
    }
  }

  /** The cart as the engine and the receipt count it: units never below zero, each at its first add's price. */
  private view(sessionId: string, e: Entry): CartView {
    const cart = projectCarts(e.lines).view(sessionId);
    const lines = cart.items.map(({ sku, qty, unitPrice }) => ({
      sku,
      name: this.options.productName(sku) ?? sku,
      qty,
      unitPrice,
      amount: qty * unitPrice,
    }));
    const running = cart.total;
    return {
      sessionId,
      partySize: e.session.partySize,
      opened: e.session.opened,
      state: e.state,
      lines,
      total: e.finalTotal ?? running,
      currency: this.options.currency,
      updated: e.updated,
    };
  }
}
