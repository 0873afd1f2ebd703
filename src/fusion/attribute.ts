/**
 * Fusion: who moved what at a shelf event, with a confidence that is the probability the charge is right.
 * Joint posterior over (actor, items) → grouped by what it does to receipts → commit or review [F1]–[F18].
 */
import { type ChargeShare, charges, type ReviewAlternative } from '../review/types.ts';
import type { LaneRow } from '../store/lanes.ts';
import type { HandEvidence } from '../vision/types.ts';
import type { ItemCount, ShelfEvent, ShelfEventFlag } from '../weight/types.ts';
import type { FusionConfig } from './config.ts';
import {
  type CartKnowledge,
  holds,
  type ItemOption,
  itemOptions,
  itemsKey,
  putBackPrior,
  type UnitWeight,
} from './hypotheses.ts';
import { laneFactor, type Reach } from './lanes.ts';
import { changeState, handLikelihoodRatio } from './likelihood.ts';

export interface ShopperCandidate {
  /** null: an unbound person (a tailgater, or a stray: a track no gate crossing explains). */
  sessionId: string | null;
  /** A track that appeared inside without crossing a gate: a shopper the cameras lost, not a tailgater. */
  stray?: boolean;
  trackId: string;
  staff: boolean;
  evidence: HandEvidence;
  /**
   * The same hand's evidence in a short window around the weight change: where the hand was when it happened, read
   * however far the track was then (a hand seen 2 m off was not in the plate); absent when it was not seen then.
   */
  atChange?: HandEvidence;
  /** For an event over several plates: those whose reach volume this hand was inside around the change. */
  platesAtChange?: readonly string[];
  /**
   * How far (ms) from this event's change the same hand was decided to have moved an item at another shelf event,
   * the nearest such; absent when none was [F18].
   */
  liftGapMs?: number;
}

export interface FusionContext {
  candidates: ShopperCandidate[];
  silentPlate: boolean;
  camerasDegraded: boolean;
  /** Shopper sessions inside the store right now (single-shopper mode / no hands seen: used when no candidates). */
  sessionsInside: string[];
  mode: 'multi-shopper' | 'single-shopper';
  /** Staff sessions inside (single-shopper mode / no hands seen): a staff member there may be restocking. */
  staffInside?: string[];
  /** Sessions inside with fewer live tracks than people: whose shopper a stray track may be [F9]. */
  sessionsMissingTrack?: string[];
  /** A session's current cart (SKU → units): the prior for what that shopper can put back [F6]. */
  cartOf?: (sessionId: string) => ReadonlyMap<string, number>;
  /** Product unit weights, to weigh put-backs of cart items onto a plate not stocking them [F7]. */
  unitWeightOf?: (sku: string) => UnitWeight | undefined;
  /** Of the event's plates, those holding a SKU (planogram or stock): where a hand must have been to take it [F2]. */
  platesHolding?: (sku: string) => readonly string[];
  /** The event's plates as rows of lanes, one per shelf: which lane a hand reached into [F2]. */
  lanes?: readonly LaneRow[];
}

export type FusionDecision =
  | {
      kind: 'commit';
      /** null = nobody is charged: staff, an unbound person, nothing moved. */
      sessionId: string | null;
      /** The tracks whose hands the decision says moved the items (none when no hand was seen doing it) [F18]. */
      tracks: string[];
      items: ItemCount[];
      /** Other shoppers charged in the same decision (a merged take). */
      with?: ChargeShare[];
      confidence: number;
      alternatives: ReviewAlternative[];
      reason: string;
    }
  | { kind: 'review'; reason: string; alternatives: ReviewAlternative[]; confidence: number };

/** `lost`: a session standing in for a stray track, its member the cameras lost [F9]. */
type ActorKind = 'session' | 'lost' | 'staff' | 'unbound' | 'nobody' | 'unseen';
interface Actor {
  kind: ActorKind;
  sessionId: string | null;
  /** The track whose hand this actor is (seen actors only). */
  trackId?: string;
  weight: number;
  /** True when the weight came from hand evidence rather than "who is inside". */
  seen: boolean;
  /** The event's plates this actor's hand was in at the change (events over several plates only). */
  plates?: readonly string[];
  /** Where this actor's hand reached in (around the change when it was in then). */
  reach?: Reach;
  /**
   * Seen away from the plate when the weight changed: the hand read outside it then, however far (a hand not seen
   * then is not held against it; on a silent plate, whose change time is a guess, never).
   */
  awayAtChange?: boolean;
}

/** One outcome as receipts see it: charge a session these items, charge nothing, or unknown. */
interface Outcome {
  key: string;
  sessionId: string | null;
  items: ItemCount[];
  /** A merged take: the other shoppers charged, with their parts. */
  with?: ChargeShare[];
  p: number;
  /** The actor kinds behind it, strongest first contribution wins the reason. */
  lead: {
    kind: ActorKind;
    p: number;
    source: ItemOption['source'];
    handoff: boolean;
    /** Where along the shelf the hand went (its lane) weighed the items. */
    lane?: boolean;
    /** The tracks whose hands moved the items in this reading. */
    tracks: readonly string[];
  };
}

function actorsFrom(ctx: FusionContext, event: ShelfEvent, config: FusionConfig): Actor[] {
  const staff = (ctx.staffInside ?? []).map((s): Actor => ({ kind: 'staff', sessionId: s, weight: 1, seen: false }));
  const inside = ctx.sessionsInside.map((s): Actor => ({ kind: 'session', sessionId: s, weight: 1, seen: false }));
  if (ctx.mode === 'single-shopper' || ctx.candidates.length === 0) {
    const present = [...inside, ...staff];
    // [F11] Nobody inside: whatever moved, no receipt can change. [F12] No hands seen: fall back on who is inside.
    if (present.length === 0) return [{ kind: 'nobody', sessionId: null, weight: 1, seen: false }];
    if (ctx.mode === 'single-shopper') return present;
    return [...present, unseen(ctx, config)];
  }
  const conditions = { silentPlate: ctx.silentPlate, camerasDegraded: ctx.camerasDegraded };
  const seen = ctx.candidates.flatMap((c): Actor[] => {
    const weight = handLikelihoodRatio(c.evidence, event, config, conditions, c.atChange) * reliftFactor(c, config);
    if (c.stray && c.sessionId === null) return strayActors(ctx, weight, c.trackId);
    const kind: ActorKind = c.staff ? 'staff' : c.sessionId === null ? 'unbound' : 'session';
    const awayAtChange = !ctx.silentPlate && c.atChange !== undefined && changeState(c.atChange) === 'out';
    return [
      {
        kind,
        sessionId: c.sessionId,
        trackId: c.trackId,
        weight,
        seen: true,
        plates: c.platesAtChange,
        reach: reachOf(c),
        awayAtChange,
      },
    ];
  });
  return [...seen, unseen(ctx, config)];
}

/**
 * [F18] A hand just decided to have moved an item elsewhere is unlikely to lift this one too; staff restocking or
 * clearing a shelf move items one after another, so not theirs.
 */
function reliftFactor(c: ShopperCandidate, config: FusionConfig): number {
  const just = c.liftGapMs !== undefined && c.liftGapMs < config.reliftWithinMs;
  return just && !c.staff ? config.reliftPrior : 1;
}

function reachOf(c: ShopperCandidate): Reach | undefined {
  const at = c.atChange?.reach ? c.atChange : c.evidence;
  return at.reach ? { point: at.reach, sigma: at.reachSigma ?? at.sigma } : undefined;
}

/** A stray's hand speaks for the sessions that lost a member, shared equally; with none, for "unknown" [F9]. */
function strayActors(ctx: FusionContext, weight: number, trackId: string): Actor[] {
  const owners = ctx.sessionsMissingTrack ?? [];
  if (owners.length === 0) return [{ kind: 'unseen', sessionId: null, weight, seen: true }];
  const share = weight / owners.length;
  return owners.map((s): Actor => ({ kind: 'lost', sessionId: s, trackId, weight: share, seen: true }));
}

function unseen(ctx: FusionContext, config: FusionConfig): Actor {
  const degraded = ctx.candidates.length === 0 ? config.unseenWeightNoHand : config.unseenWeightDegraded;
  const weight = ctx.camerasDegraded ? degraded : config.unseenWeight;
  return { kind: 'unseen', sessionId: null, weight, seen: false };
}

/**
 * [F2] An event over several plates (an item resting on two, a grab across a gap): a unit taken came off a plate
 * the hand was in, so taking a SKU that only another of the event's plates holds is less likely.
 */
function placeFactor(
  plates: readonly string[] | undefined,
  items: readonly ItemCount[],
  ctx: FusionContext,
  config: FusionConfig,
): number {
  const holding = ctx.platesHolding;
  if (!plates?.length || !holding) return 1;
  const elsewhere = items.some((i) => {
    const holders = i.qty > 0 ? holding(i.sku) : [];
    return holders.length > 0 && !holders.some((p) => plates.includes(p));
  });
  return elsewhere ? config.otherPlateHandFactor : 1;
}

/**
 * Where this actor's hand went, weighing what it took: along the shelf (its lane) or else which of the event's
 * plates it was in; one reading of the hand, told once. `placed`: a lane weighed a SKU of these items.
 */
function whereFactor(
  actor: Actor,
  items: readonly ItemCount[],
  ctx: FusionContext,
  config: FusionConfig,
): { fit: number; placed: boolean } {
  const lane = laneFactor(actor.reach, items, ctx.lanes, config);
  return lane ?? { fit: placeFactor(actor.plates, items, ctx, config), placed: false };
}

/**
 * [F16] Two shoppers taking from one plate at once: the shelf sees one change of several units. Each pair of
 * shoppers whose hands were seen is offered every way to share a pick of two units or more (each taking at least
 * one), weighted by both hands' evidence, where each hand went for its own part, and `mergedTakePrior`. One change
 * is both hands lifting at once: a hand away from the plate at the change counts ×`mergedHandOutFactor`, also when
 * choosing the pairs.
 */
function mergedTakes(
  actors: readonly Actor[],
  options: readonly ItemOption[],
  ctx: FusionContext,
  config: FusionConfig,
): Outcome[] {
  const share = (a: Actor) => a.weight * (a.awayAtChange ? config.mergedHandOutFactor : 1);
  const shoppers = actors
    .filter((a) => a.kind === 'session' && a.seen && a.sessionId !== null)
    .sort((a, b) => share(b) - share(a))
    .slice(0, MERGED_TAKE_CANDIDATES);
  const out = new Map<string, Outcome>();
  for (const [i, a] of shoppers.entries()) {
    for (const b of shoppers.slice(i + 1)) {
      if (a.sessionId === b.sessionId) continue;
      for (const o of options) {
        for (const [mine, theirs] of shares(o.items)) {
          // Each hand is weighed by where it went for its own part.
          const [whereA, whereB] = [whereFactor(a, mine, ctx, config), whereFactor(b, theirs, ctx, config)];
          const p = share(a) * share(b) * o.weight * config.mergedTakePrior * whereA.fit * whereB.fit;
          const key = `merged:${a.sessionId}:${itemsKey(mine)}|${b.sessionId}:${itemsKey(theirs)}`;
          const lane = whereA.placed && whereB.placed;
          const tracks = [a.trackId, b.trackId].filter((t) => t !== undefined);
          const lead = { kind: 'session' as const, p, source: o.source, handoff: false, lane, tracks };
          const prev = out.get(key);
          out.set(key, {
            key,
            sessionId: a.sessionId,
            items: mine,
            with: [{ sessionId: b.sessionId!, items: theirs }],
            p: (prev?.p ?? 0) + p,
            lead,
          });
        }
      }
    }
  }
  return [...out.values()];
}

/** The two shoppers of a merged take compared: the likeliest few are enough. */
const MERGED_TAKE_CANDIDATES = 3;

/** Ways to share a pick between two people, each taking at least one unit: [first's part, second's part]. */
function shares(items: readonly ItemCount[] | null): [ItemCount[], ItemCount[]][] {
  if (!items || items.some((i) => i.qty <= 0)) return [];
  const [x, y] = items;
  if (items.length === 1 && x) {
    return Array.from({ length: x.qty - 1 }, (_, k) => [
      [{ sku: x.sku, qty: k + 1 }],
      [{ sku: x.sku, qty: x.qty - k - 1 }],
    ]);
  }
  if (items.length === 2 && x && y)
    return [
      [[x], [y]],
      [[y], [x]],
    ];
  return [];
}

/** Joint (actor, items) weights grouped by receipt outcome, normalised, best first [F4]. */
function outcomes(
  actors: Actor[],
  options: ItemOption[],
  ctx: FusionContext,
  config: FusionConfig,
  putBack: boolean,
): Outcome[] {
  const byKey = new Map<string, Outcome>();
  const add = (key: string, sessionId: string | null, items: ItemCount[], p: number, lead: Outcome['lead']) => {
    const o = byKey.get(key) ?? { key, sessionId, items, p: 0, lead };
    o.p += p;
    if (p > o.lead.p) {
      o.lead = lead;
      o.items = items;
    }
    byKey.set(key, o);
  };
  const total = options.reduce((s, o) => s + o.weight, 0);
  for (const a of actors) {
    if (a.kind === 'unseen') {
      add('unknown', null, [], a.weight * total, {
        kind: a.kind,
        p: a.weight * total,
        source: 'other',
        handoff: false,
        tracks: [],
      });
      continue;
    }
    const hasCart = chargeable(a);
    // A put-back by a shopper whose cart holds one of the options: "none of the listed" would be a product no cart
    // holds (cart items are offered on their own, [F7]), one this shopper never took. Without such a cart item,
    // every reading is foreign to the cart and the unlisted mass stands.
    const cart = hasCart && putBack ? ctx.cartOf?.(a.sessionId!) : undefined;
    const unlisted =
      cart && options.some((o) => o.items !== null && holds(cart, o.items)) ? config.putBackNotInCartPrior : 1;
    for (const o of options) {
      const tracks = a.trackId === undefined ? [] : [a.trackId];
      const lead = { kind: a.kind, p: 0, source: o.source, handoff: false, tracks };
      if (o.items === null) {
        const w = a.weight * o.weight * unlisted;
        add(hasCart ? 'unknown' : 'nothing', null, [], w, { ...lead, p: w });
        continue;
      }
      const returner = hasCart
        ? { kind: 'session' as const, sessionId: a.sessionId as string }
        : { kind: a.kind === 'staff' ? ('staff' as const) : ('unbound' as const) };
      const { prior, creditTo } =
        a.kind === 'nobody' ? { prior: 1, creditTo: null } : putBackPrior(returner, o.items, ctx, config);
      const where = whereFactor(a, o.items, ctx, config);
      const oneHand = hasCart && mixedPick(o.items) ? config.oneHandMixedPrior : 1;
      const w = a.weight * o.weight * prior * where.fit * oneHand;
      const key = itemsKey(o.items);
      const laned = { ...lead, p: w, lane: where.placed };
      if (creditTo === null || key === '') add('nothing', null, o.items, w, laned);
      else add(`charge:${creditTo}:${key}`, creditTo, o.items, w, { ...laned, handoff: creditTo !== a.sessionId });
    }
  }
  for (const o of mergedTakes(actors, options, ctx, config)) byKey.set(o.key, o);
  const z = [...byKey.values()].reduce((s, o) => s + o.p, 0);
  return [...byKey.values()]
    .map((o) => ({ ...o, p: z > 0 ? o.p / z : 0 }))
    .sort((a, b) => b.p - a.p || a.key.localeCompare(b.key));
}

/** A take of units of two or more SKUs at once. */
function mixedPick(items: readonly ItemCount[]): boolean {
  return new Set(items.filter((i) => i.qty > 0).map((i) => i.sku)).size > 1;
}

/** An actor whose session's cart an outcome charges or credits: a shopper, or a session standing in for a stray. */
function chargeable(a: Actor): boolean {
  return (a.kind === 'session' || a.kind === 'lost') && a.sessionId !== null;
}

/** Multipliers for inputs that make the model itself less trustworthy [F10]: P(inputs sound | condition). */
function degradations(event: ShelfEvent, ctx: FusionContext, actors: Actor[], top: Outcome, config: FusionConfig) {
  const factors: { name: string; factor: number }[] = [];
  const flags = new Set<ShelfEventFlag>(event.flags);
  if (ctx.silentPlate) flags.add('silent-plate');
  // [F7] The weight stage could not explain the grams, or tell look-alikes apart, but a cart item does: answered.
  if (top.lead.source === 'cart') {
    flags.delete('unexplained-weight');
    flags.delete('ambiguous-item');
  }
  // Weight could not tell the items apart, but the lane the hand reached into did: that doubt is in the posterior.
  if (top.lead.lane) flags.delete('ambiguous-item');
  for (const flag of [...flags].sort()) factors.push({ name: flag, factor: config.flagFactor[flag] });
  if (ctx.mode === 'multi-shopper' && ctx.camerasDegraded) {
    factors.push({ name: 'cameras-degraded', factor: config.camerasDegradedFactor });
  }
  const unbound = ctx.mode === 'multi-shopper' ? ctx.candidates.filter((c) => c.sessionId === null && !c.staff) : [];
  if (unbound.some((c) => c.evidence.minDistance <= config.unboundNearbyM)) {
    factors.push({ name: 'unbound-nearby', factor: config.unboundNearbyFactor });
  }
  const handless = ctx.mode === 'multi-shopper' && !actors.some((a) => a.seen);
  if (handless && top.sessionId !== null) factors.push({ name: 'no-hand-seen', factor: config.noHandFactor });
  if (top.lead.kind === 'lost') factors.push({ name: 'identity-inferred', factor: config.strayInferredFactor });
  return factors;
}

function describe(top: Outcome): string {
  if (top.sessionId !== null) {
    const what = top.items.some((i) => i.qty < 0) ? 'put-back' : 'pick';
    const misplaced = top.lead.source === 'cart' ? ', misplaced return' : '';
    const handoff = top.lead.handoff ? ', credited to the cart holding it (handoff)' : '';
    const lost = top.lead.kind === 'lost' ? ', by a track found again without its session' : '';
    const shared = top.with ? `, shared with ${top.with.map((w) => w.sessionId).join(', ')} (a merged take)` : '';
    return `${what} for ${top.sessionId}${shared}${misplaced}${handoff}${lost}`;
  }
  switch (top.lead.kind) {
    case 'staff':
      return 'staff restock or tidy: nobody charged';
    case 'unbound':
      return 'unbound person (tailgater?): nobody charged';
    case 'nobody':
      return 'nobody inside: nothing to charge';
    case 'session':
    case 'lost':
    case 'unseen':
      return 'nothing moved: nothing to charge';
  }
}

/**
 * The probability the charge is right, from the model's [F1]: its log-odds times `confidenceSharpness` (temperature
 * scaling: an even race stays even).
 */
function calibrated(p: number, config: FusionConfig): number {
  const [right, wrong] = [p ** config.confidenceSharpness, (1 - p) ** config.confidenceSharpness];
  return right / (right + wrong);
}

/** Decide one shelf event [F1]: commit the most probable outcome when confident enough, else open a review. */
export function decideShelfEvent(event: ShelfEvent, ctx: FusionContext, config: FusionConfig): FusionDecision {
  const actors = actorsFrom(ctx, event, config);
  const cartSessions = actors.filter(chargeable).map((a) => a.sessionId!);
  const view: CartKnowledge = {
    cartOf: ctx.cartOf,
    unitWeightOf: ctx.unitWeightOf,
    sessionsInside: ctx.sessionsInside,
    platesHolding: ctx.platesHolding,
  };
  const ranked = outcomes(actors, itemOptions(event, view, config, cartSessions), ctx, config, event.grams < 0);
  const alternatives = listed(ranked, config);
  // The decision is the best outcome receipts can act on; "unknown" only takes probability away from it.
  const top = ranked.find((o) => o.key !== 'unknown');
  if (!top) return { kind: 'review', reason: 'no outcome explains the event', alternatives, confidence: 0 };
  const factors = degradations(event, ctx, actors, top, config);
  // The model's posterior, calibrated, times how likely its inputs are sound [F10].
  const sure = calibrated(top.p, config);
  const confidence = factors.reduce((c, f) => c * f.factor, sure);
  const why = `${describe(top)}; posterior ${top.p.toFixed(3)}, calibrated ${sure.toFixed(3)}${factors.map((f) => `, ${f.name}×${f.factor}`).join('')}`;
  if (confidence >= config.commitThreshold) {
    const shared = top.with ? { with: top.with } : {};
    return {
      kind: 'commit',
      sessionId: top.sessionId,
      tracks: [...top.lead.tracks],
      items: top.items,
      ...shared,
      confidence,
      alternatives,
      reason: why,
    };
  }
  const held = listed(ranked, config, heldBy(ranked, top, config));
  return { kind: 'review', reason: `not confident: ${why}`, alternatives: held, confidence };
}

/** The outcomes a decision lists, best first: never "unknown", at most `maxAlternatives`, those `keep` allows. */
function listed(
  ranked: readonly Outcome[],
  config: FusionConfig,
  keep: (o: Outcome) => boolean = () => true,
): ReviewAlternative[] {
  return ranked
    .filter((o) => o.key !== 'unknown' && keep(o))
    .slice(0, config.maxAlternatives)
    .map((o) => ({ sessionId: o.sessionId, items: o.items, ...(o.with ? { with: o.with } : {}), probability: o.p }));
}

/**
 * Which outcomes a review case keeps: the best, and others only for sessions at least `holdMinProbability` likely
 * to be in it. Each listed session's receipt waits for the case; a session less likely than that leaves with its
 * receipt, and the case can no longer charge it (a rare undercharge, never a bystander's receipt held).
 */
function heldBy(ranked: readonly Outcome[], top: Outcome, config: FusionConfig): (o: Outcome) => boolean {
  const bySession = new Map<string, number>();
  for (const o of ranked) {
    for (const { sessionId } of charges(o)) bySession.set(sessionId, (bySession.get(sessionId) ?? 0) + o.p);
  }
  return (o) => o === top || charges(o).every((c) => bySession.get(c.sessionId)! >= config.holdMinProbability);
}
