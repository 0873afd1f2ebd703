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

/**
 * The payment record of a line charged after its receipt was final: a record and idempotency key of its own, so it
 * is charged once however often the line is replayed, and the visit's own capture stays as it was.
 */
export const lateChargeVisit = (visit: string, lineId: string): string => `${visit}+late:${lineId}`;

/** A final receipt with a line added later (a reviewer's late answer): merged into that product's line, or appended. */
export function amendReceipt(
  receipt: Receipt,
  line: Pick<CartLine, 'sku' | 'qty' | 'unitPrice'>,
  name: string,
): Receipt {
  const same = receipt.lines.find((l) => l.sku === line.sku && l.unitPrice === line.unitPrice);
  const lines = same
    ? receipt.lines.map((l) => (l === same ? { ...l, qty: l.qty + line.qty } : l))
    : [...receipt.lines, { sku: line.sku, name, qty: line.qty, unitPrice: line.unitPrice }];
  return { ...receipt, lines, total: lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0) };
}
