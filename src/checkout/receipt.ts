/**
 * Receipts: a session's cart lines folded per SKU into named, priced lines and a total in minor units [C6].
 */
import { projectCarts } from '../cart/ledger.ts';
import type { CartLine } from '../cart/types.ts';
import type { Session } from '../identity/types.ts';
import type { Product, StoreDef } from '../store/schema.ts';
import type { Receipt, ReceiptStatus } from './types.ts';

export interface ReceiptInput {
  store: { products: ReadonlyMap<string, Pick<Product, 'name' | 'price'>>; def: Pick<StoreDef, 'currency'> };
  session: Pick<Session, 'sessionId' | 'account' | 'opened'>;
  /** The session's cart lines (lines of other sessions are ignored). */
  lines: readonly CartLine[];
  status: ReceiptStatus;
  /** When the party entered; defaults to when the session opened (the scan). */
  entered?: number;
  exited: number | null;
  finalAt: number | null;
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const { store, session } = input;
  const ledger = projectCarts(input.lines.filter((l) => l.sessionId === session.sessionId));
  const cart = ledger.view(session.sessionId);
  const lines = cart.items.map((item) => ({
    sku: item.sku,
    // A SKU dropped from the catalogue mid-visit still prints: its code stands in for the name.
    name: store.products.get(item.sku)?.name ?? item.sku,
    qty: item.qty,
    unitPrice: item.unitPrice,
  }));
  return {
    visit: session.sessionId,
    account: session.account,
    lines,
    total: lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0),
    currency: store.def.currency,
    status: input.status,
    entered: input.entered ?? session.opened,
    exited: input.exited,
    finalAt: input.status === 'final' ? input.finalAt : null,
  };
}
