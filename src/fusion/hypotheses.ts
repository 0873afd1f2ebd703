/**
 * What moved: the weight stage's item hypotheses as fusion weighs them, plus put-backs of cart items the weight
 * stage could not know about (misplaced returns) [F7], and the cart prior that says who can put what back [F6], [F8].
 */
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import type { FusionConfig } from './config.ts';

export interface UnitWeight {
  mean: number;
  sd: number;
}

/** One way to explain the grams. `items: null` is "none of the listed hypotheses" (unexplained). */
export interface ItemOption {
  items: ItemCount[] | null;
  /** Unnormalised weight: prior × likelihood on the weight stage's scale. */
  weight: number;
  source: 'weight' | 'cart' | 'other';
}

export interface CartKnowledge {
  cartOf?: (sessionId: string) => ReadonlyMap<string, number>;
  unitWeightOf?: (sku: string) => UnitWeight | undefined;
  /** Sessions inside (shoppers) that may hold a handed-off item. */
  sessionsInside: readonly string[];
  /** Of the event's plates, those holding a SKU (planogram or stock): a SKU none holds came from elsewhere. */
  platesHolding?: (sku: string) => readonly string[];
}

/** Stable key of an item combination: SKUs sorted, zero quantities dropped. */
export function itemsKey(items: readonly ItemCount[]): string {
  return items
    .filter((i) => i.qty !== 0)
    .map((i) => `${i.sku}:${i.qty}`)
    .sort()
    .join(',');
}

/** Grams explained minus grams measured (removal-positive), and its 1-σ, for a combination. */
function residual(items: readonly ItemCount[], event: ShelfEvent, unitWeightOf: CartKnowledge['unitWeightOf']) {
  let explained = 0;
  let variance = event.sigmaGrams ** 2;
  for (const { sku, qty } of items) {
    const w = unitWeightOf?.(sku);
    if (!w) return undefined;
    explained += qty * w.mean;
    variance += Math.abs(qty) * w.sd ** 2;
  }
  return { z: (explained - event.grams) / Math.sqrt(Math.max(variance, 1e-6)) };
}

/** Put-backs of cart SKUs that fit the grams: "the yogurt went back onto the cereal plate" [F7]. */
function misplacedReturns(event: ShelfEvent, view: CartKnowledge, config: FusionConfig, sessions: readonly string[]) {
  if (event.grams >= 0 || !view.cartOf || !view.unitWeightOf) return [];
  const held = new Map<string, number>();
  for (const s of sessions) {
    for (const [sku, qty] of view.cartOf(s)) held.set(sku, Math.max(held.get(sku) ?? 0, qty));
  }
  const out: { items: ItemCount[]; likelihood: number }[] = [];
  for (const [sku, qty] of [...held].sort(([a], [b]) => a.localeCompare(b))) {
    for (let n = 1; n <= Math.min(qty, config.maxAugmentUnits); n++) {
      const items = [{ sku, qty: -n }];
      const r = residual(items, event, view.unitWeightOf);
      if (!r || Math.abs(r.z) > config.augmentMaxZ) continue;
      out.push({ items, likelihood: Math.exp(-0.5 * r.z ** 2) });
    }
  }
  return out;
}

/**
 * The item options fusion weighs [F5]: each weight hypothesis at its probability, the leftover mass as
 * "unexplained", and returns of cart items that fit the grams, scaled by their fit against the best hypothesis's.
 * When the grams fit no product of the plate (the weight stage gives more mass to products from elsewhere, listed
 * ones no event plate holds and the unlisted rest, than to its best), a fitting cart item takes that mass: a shopper
 * returns what they hold. Otherwise it competes with the plate's own product at `misplacedReturnPrior`; one the
 * weight stage listed itself keeps the larger of the two readings, or the weight stage's while someone at the plate
 * could return the weight stage's best hypothesis from a cart.
 */
export function itemOptions(
  event: ShelfEvent,
  view: CartKnowledge,
  config: FusionConfig,
  cartSessions: readonly string[],
): ItemOption[] {
  const options: ItemOption[] = event.hypotheses
    .filter((h) => h.probability > 0)
    .map((h) => ({ items: h.items, weight: h.probability, source: 'weight' as const }));
  const listed = options.reduce((sum, o) => sum + o.weight, 0);
  const other = Math.max(0, 1 - listed);
  const best = [...event.hypotheses].sort((a, b) => b.probability - a.probability)[0];
  // Put the cart proposals on the weight stage's scale: relative to its best hypothesis's fit, or, with none,
  // to the "unexplained" mass standing at `augmentMaxZ`.
  const bestFit = best ? residual(best.items, event, view.unitWeightOf) : undefined;
  const ref = best
    ? { weight: best.probability, likelihood: bestFit ? Math.exp(-0.5 * bestFit.z ** 2) : 1 }
    : { weight: other, likelihood: Math.exp(-0.5 * config.augmentMaxZ ** 2) };
  const elsewhere = elsewhereMass(options, other, view.platesHolding);
  // Grams that fit no product of the plate: the mass from elsewhere is the cart item's to take (by its fit). Else a
  // misplaced return competes with the plate's own product at `misplacedReturnPrior`.
  const scale = elsewhere > ref.weight ? elsewhere : ref.weight * config.misplacedReturnPrior;
  const returns = misplacedReturns(event, view, config, cartSessions);
  // The weight stage weighed a listed cart item against the plate's own products with no cart in mind. Its reading
  // stands while someone at the plate has a cart prior for the best of them above "not in the cart" (theirs holds
  // it, or the one other cart inside that does: a missed handoff); else that product is as foreign to the carts,
  // and the larger of the two readings counts.
  const homeLikely =
    best !== undefined &&
    returns.length > 0 &&
    cartSessions.some(
      (s) =>
        putBackPrior({ kind: 'session', sessionId: s }, best.items, view, config).prior > config.putBackNotInCartPrior,
    );
  for (const m of returns) {
    const key = itemsKey(m.items);
    const same = options.find((o) => o.items && itemsKey(o.items) === key);
    if (same && elsewhere <= ref.weight && homeLikely) continue;
    const weight = scale * (m.likelihood / Math.max(ref.likelihood, 1e-12));
    if (!same) options.push({ items: m.items, weight, source: 'cart' });
    else if (weight > same.weight) Object.assign(same, { weight, source: 'cart' });
  }
  if (other > 0) options.push({ items: null, weight: other, source: 'other' });
  return options;
}

/** The weight stage's mass on products from elsewhere: listed options no event plate holds, and the unlisted rest. */
function elsewhereMass(options: readonly ItemOption[], other: number, holding: CartKnowledge['platesHolding']) {
  if (!holding) return 0;
  const foreign = options.filter((o) => o.items?.every((i) => holding(i.sku).length === 0));
  return other + foreign.reduce((sum, o) => sum + o.weight, 0);
}

/** True when the cart holds at least the units each put-back returns (picks among the items ask nothing). */
export function holds(cart: ReadonlyMap<string, number>, putBacks: readonly ItemCount[]): boolean {
  return putBacks.every((i) => (cart.get(i.sku) ?? 0) >= -i.qty);
}

export type Returner = { kind: 'session'; sessionId: string } | { kind: 'staff' } | { kind: 'unbound' };

/**
 * The cart prior of a put-back [F6], [F8]: who can return these units, and whose cart is credited.
 * `creditTo` differs from the returner only in a cross-session handoff.
 */
export function putBackPrior(
  returner: Returner,
  items: readonly ItemCount[],
  view: CartKnowledge,
  config: FusionConfig,
): { prior: number; creditTo: string | null } {
  const putBacks = items.filter((i) => i.qty < 0);
  const own = returner.kind === 'session' ? returner.sessionId : null;
  if (putBacks.length === 0) return { prior: 1, creditTo: own };
  if (returner.kind === 'staff') return { prior: 1, creditTo: null };
  if (returner.kind === 'unbound') return { prior: config.putBackUnboundPrior, creditTo: null };
  if (!view.cartOf || holds(view.cartOf(returner.sessionId), putBacks)) return { prior: 1, creditTo: own };
  const cartOf = view.cartOf;
  const holders = view.sessionsInside.filter((s) => s !== returner.sessionId && holds(cartOf(s), putBacks));
  const [holder] = holders;
  if (holders.length === 1 && holder !== undefined) return { prior: config.handoffReturnPrior, creditTo: holder };
  return { prior: config.putBackNotInCartPrior, creditTo: own };
}
