/**
 * The cart ledger projection: `cart.line` events folded into each session's current contents and running total,
 * and the builders that turn fusion decisions, review resolutions and corrections into lines [C1]–[C5].
 * Lines are append-only: a correction is a new line, never an edit.
 */
import { WalkoutError } from '../errors.ts';
import type { ReviewAlternative } from '../review/types.ts';
import type { ItemCount } from '../weight/types.ts';
import type { CartLine } from './types.ts';

export interface CartItem {
  sku: string;
  qty: number;
  unitPrice: number;
}

export interface CartView {
  sessionId: string;
  /** SKUs with units in the cart, in the order they first appeared. */
  items: CartItem[];
  /** Minor units. */
  total: number;
  /** Units returned beyond what the cart held, per SKU, waiting to absorb a later add [C2]. */
  unmatched: ItemCount[];
  lines: number;
}

interface SkuBalance {
  balance: number;
  /** Price locked by the first add of the SKU [C3]. */
  unitPrice: number;
  priced: boolean;
}

interface SessionCart {
  skus: Map<string, SkuBalance>;
  lines: Map<string, CartLine>;
}

/** Lines the shopper pays for: all but those after the receipt was final, other than a found item's refund. */
export const isCharged = (l: CartLine): boolean => !l.afterFinal || l.evidence.foundId !== undefined;

const sameLine = (a: CartLine, b: CartLine) => JSON.stringify(a) === JSON.stringify(b);

export class CartLedger {
  private readonly carts = new Map<string, SessionCart>();

  /** Folds one line [C1]. The same line twice is ignored (at-least-once delivery); a reused id is a broken log. */
  apply(line: CartLine): void {
    if (!Number.isInteger(line.qty)) throw new WalkoutError('BAD_CART_LINE', `line ${line.lineId}: qty ${line.qty}`);
    const cart = this.carts.get(line.sessionId) ?? { skus: new Map(), lines: new Map() };
    this.carts.set(line.sessionId, cart);
    const seen = cart.lines.get(line.lineId);
    if (seen) {
      if (sameLine(seen, line)) return;
      throw new WalkoutError('LINE_ID_CONFLICT', `cart line ${line.lineId} logged twice with different content`);
    }
    cart.lines.set(line.lineId, line);
    const sku = cart.skus.get(line.sku) ?? { balance: 0, unitPrice: line.unitPrice, priced: false };
    sku.balance += line.qty;
    if (line.qty > 0 && !sku.priced) {
      sku.unitPrice = line.unitPrice;
      sku.priced = true;
    }
    cart.skus.set(line.sku, sku);
  }

  /** Units per SKU in the cart now: never negative [C2]. The fusion prior for put-backs reads this. */
  contents(sessionId: string): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [sku, b] of this.carts.get(sessionId)?.skus ?? []) if (b.balance > 0) out.set(sku, b.balance);
    return out;
  }

  view(sessionId: string): CartView {
    const cart = this.carts.get(sessionId);
    const items: CartItem[] = [];
    const unmatched: ItemCount[] = [];
    for (const [sku, b] of cart?.skus ?? []) {
      if (b.balance > 0) items.push({ sku, qty: b.balance, unitPrice: b.unitPrice });
      if (b.balance < 0) unmatched.push({ sku, qty: -b.balance });
    }
    const total = items.reduce((sum, i) => sum + i.qty * i.unitPrice, 0);
    return { sessionId, items, total, unmatched, lines: cart?.lines.size ?? 0 };
  }

  /** The session's lines in the order they were applied. */
  linesOf(sessionId: string): CartLine[] {
    return [...(this.carts.get(sessionId)?.lines.values() ?? [])];
  }

  sessions(): string[] {
    return [...this.carts.keys()];
  }
}

/** Folds a whole log of lines. */
export function projectCarts(lines: Iterable<CartLine>): CartLedger {
  const ledger = new CartLedger();
  for (const line of lines) ledger.apply(line);
  return ledger;
}

export type PriceOf = (sku: string) => number | undefined;

/** Sums duplicate SKUs and drops zeros, keeping first-appearance order. */
export function netItems(items: readonly ItemCount[]): ItemCount[] {
  const net = new Map<string, number>();
  for (const { sku, qty } of items) net.set(sku, (net.get(sku) ?? 0) + qty);
  return [...net].filter(([, qty]) => qty !== 0).map(([sku, qty]) => ({ sku, qty }));
}

interface LineSpec {
  /** Prefix that makes ids deterministic: the shelf event, review case or correction the lines come from [C4]. */
  idPrefix: string;
  sessionId: string;
  items: readonly ItemCount[];
  kind?: 'correction';
  evidence: CartLine['evidence'];
  confidence: number;
  t: number;
}

function makeLines(spec: LineSpec, priceOf: PriceOf): CartLine[] {
  return netItems(spec.items).map(({ sku, qty }) => {
    const unitPrice = priceOf(sku);
    if (unitPrice === undefined) throw new WalkoutError('UNKNOWN_SKU', `no price for SKU ${sku}`);
    return {
      lineId: `${spec.idPrefix}/${spec.sessionId}/${sku}`,
      sessionId: spec.sessionId,
      kind: spec.kind ?? (qty > 0 ? 'add' : 'remove'),
      sku,
      qty,
      unitPrice,
      evidence: spec.evidence,
      confidence: spec.confidence,
      t: spec.t,
    };
  });
}

/** Lines for a committed fusion decision [C5]: none when nobody is charged. */
export function linesFromDecision(
  decision: { sessionId: string | null; items: readonly ItemCount[]; confidence: number },
  event: { id: string; tDecided: number },
  priceOf: PriceOf,
): CartLine[] {
  if (decision.sessionId === null) return [];
  const { sessionId, items, confidence } = decision;
  const evidence = { shelfEventId: event.id };
  return makeLines({ idPrefix: event.id, sessionId, items, evidence, confidence, t: event.tDecided }, priceOf);
}

/** Lines for an item handed over [F8]: out of the giver's cart, into the receiver's. */
export function linesFromHandoff(
  handoff: { handoffId: string; fromSessionId: string; toSessionId: string; sku: string; qty: number },
  spec: { confidence: number; t: number },
  priceOf: PriceOf,
): CartLine[] {
  const { handoffId, sku, qty } = handoff;
  const evidence = { handoffId };
  const side = (sessionId: string, signed: number) =>
    makeLines({ idPrefix: handoffId, sessionId, items: [{ sku, qty: signed }], evidence, ...spec }, priceOf);
  return [...side(handoff.fromSessionId, -qty), ...side(handoff.toSessionId, qty)];
}

/** The line for an item found on the floor [F17]: one unit out of the dropper's cart, a correction. */
export function linesFromFound(
  found: { foundId: string; sessionId: string; sku: string; confidence: number; t: number },
  priceOf: PriceOf,
): CartLine[] {
  const { foundId, sessionId, sku, confidence, t } = found;
  const evidence = { foundId, note: 'found on the floor' };
  const items = [{ sku, qty: -1 }];
  return makeLines({ idPrefix: foundId, sessionId, items, kind: 'correction', evidence, confidence, t }, priceOf);
}

/** Lines for a reviewer's choice [R3]: confidence 1, pointing at the case and its shelf event. */
export function linesFromResolution(
  resolution: { caseId: string; choice: ReviewAlternative; t: number },
  shelfEventId: string | undefined,
  priceOf: PriceOf,
): CartLine[] {
  const { caseId, choice, t } = resolution;
  if (choice.sessionId === null) return [];
  const evidence = shelfEventId === undefined ? { reviewCaseId: caseId } : { shelfEventId, reviewCaseId: caseId };
  return makeLines(
    { idPrefix: caseId, sessionId: choice.sessionId, items: choice.items, evidence, confidence: 1, t },
    priceOf,
  );
}

/**
 * Correction lines [C1]: what brings a session's net units from one piece of evidence (a shelf event or case)
 * to `target`. Existing lines stay; the difference is appended under `correctionId`.
 */
export function correctionLines(
  spec: {
    correctionId: string;
    sessionId: string;
    existing: readonly CartLine[];
    target: readonly ItemCount[];
    note: string;
    t: number;
  },
  priceOf: PriceOf,
): CartLine[] {
  const current = netItems(spec.existing.filter((l) => l.sessionId === spec.sessionId));
  const delta = netItems([...spec.target, ...current.map((i) => ({ sku: i.sku, qty: -i.qty }))]);
  return makeLines(
    {
      idPrefix: spec.correctionId,
      sessionId: spec.sessionId,
      items: delta,
      kind: 'correction',
      evidence: { reviewCaseId: spec.correctionId, note: spec.note },
      confidence: 1,
      t: spec.t,
    },
    priceOf,
  );
}
