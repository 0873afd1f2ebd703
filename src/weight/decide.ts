/**
 * Turns a settled cluster of plate steps (one shelf, neighbouring plates, close in time) into shelf events:
 * splits it into phases in time (two picks in a row), drops phases that cancel (a press, a pick put straight back,
 * an item sliding to the next plate of its product), splits a phase across plates when each plate is explained by
 * whole items on its own (two shoppers at neighbouring plates, also when one's pick and the other's put-back of a
 * product of the same weight cancel), and ranks item hypotheses for each event.
 */
import type { Store } from '../store/store.ts';
import { candidatesFor, lightestUnit, type StockOf } from './candidates.ts';
import type { WeightConfig } from './config.ts';
import { type Ranking, rankHypotheses } from './hypotheses.ts';
import type { PlateStep } from './plate-tracker.ts';
import type { ShelfEvent, ShelfEventFlag } from './types.ts';

export interface DecideContext {
  store: Store;
  stock: StockOf;
  cfg: WeightConfig;
  /** Longest gap in a plate's stream overlapping [from, to], ms; Infinity for a plate that is silent now. */
  gapWithin: (plateId: string, from: number, to: number) => number;
}

interface Change {
  steps: PlateStep[];
  byPlate: Map<string, { grams: number; variance: number }>;
  grams: number;
  sigma: number;
}

function change(steps: PlateStep[]): Change {
  const byPlate = new Map<string, { grams: number; variance: number }>();
  let grams = 0;
  let variance = 0;
  for (const s of steps) {
    const p = byPlate.get(s.plateId) ?? { grams: 0, variance: 0 };
    p.grams += s.delta;
    p.variance += s.sigma * s.sigma;
    byPlate.set(s.plateId, p);
    grams += s.delta;
    variance += s.sigma * s.sigma;
  }
  return { steps, byPlate, grams, sigma: Math.sqrt(variance) };
}

function noiseFloor(sigma: number, cfg: WeightConfig): number {
  return Math.max(cfg.minStepGrams, cfg.stepZ * sigma);
}

/** Steps whose touches overlap in time form one phase; a later touch after the shelf settled is a new one. */
function phases(steps: PlateStep[], cfg: WeightConfig): PlateStep[][] {
  const sorted = [...steps].sort((a, b) => a.tStart - b.tStart);
  const out: PlateStep[][] = [];
  let settled = Number.NEGATIVE_INFINITY;
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.tStart < settled + cfg.settleMs / 2) {
      last.push(s);
      settled = Math.max(settled, s.tSettled);
    } else {
      out.push([s]);
      settled = s.tSettled;
    }
  }
  return out;
}

/** Whole units of the plates' own SKUs (no neighbours, no foreign returns) explain this change within `maxZ`. */
function itemLike(c: Change, ctx: DecideContext, maxZ = ctx.cfg.unexplainedZ): boolean {
  return ownRanking(c, ctx).bestZ <= maxZ;
}

/** The change read as the plates' own SKUs. */
function ownRanking(c: Change, ctx: DecideContext): Ranking {
  return rankHypotheses(c.grams, c.sigma, ownCandidates(ctx, gramsMap(c), c.grams), ctx.cfg);
}

/** Candidates among the plates' own SKUs only: some product from elsewhere fits almost any put-back. */
function ownCandidates(ctx: DecideContext, gramsByPlate: ReadonlyMap<string, number>, grams: number) {
  return candidatesFor(ctx.store, ctx.stock, gramsByPlate, grams, ctx.cfg, false).filter((x) => x.local);
}

/**
 * A cluster that needs nothing more to be decided: every step settled on its own, and each phase is either noise
 * (a press and its release inside one touch) or whole units of its plates' own SKUs. A hand resting on a plate, an
 * item sliding over, a foreign return look incomplete and wait the full join gap.
 */
export function looksComplete(steps: PlateStep[], ctx: DecideContext): boolean {
  if (steps.some((s) => s.forced)) return false;
  return phases(steps, ctx.cfg).every((p) => {
    const c = change(p);
    return Math.abs(c.grams) < noiseFloor(c.sigma, ctx.cfg) || itemLike(c, ctx, ctx.cfg.quickMaxZ);
  });
}

/**
 * A phase no item explains is usually a hand resting long enough to look settled: it is merged with the phase that
 * follows (its release) when together they are noise or explained. Phases that are noise alone are dropped.
 */
function meaningful(parts: Change[], ctx: DecideContext): Change[] {
  const out: Change[] = [];
  let i = 0;
  while (i < parts.length) {
    let a = parts[i]!;
    i++;
    while (i < parts.length && !itemLike(a, ctx)) {
      const merged = change([...a.steps, ...parts[i]!.steps]);
      if (Math.abs(merged.grams) >= noiseFloor(merged.sigma, ctx.cfg) && !itemLike(merged, ctx)) break;
      a = merged;
      i++;
    }
    if (Math.abs(a.grams) >= noiseFloor(a.sigma, ctx.cfg) || twoProducts(a, ctx)) out.push(a);
  }
  return out;
}

/**
 * A phase that cancels across plates but whose plates each read the same count of one different product of their own:
 * a pick beside a put-back or restock of a product that weighs the same (a swap, or two people). Weight alone cannot
 * tell that from a unit sliding onto a look-alike's plate: both are read as two events and the hands decide whose. A
 * slide onto a plate of a lighter product (one cola read as six chips) or of several products stays dropped.
 */
function twoProducts(c: Change, ctx: DecideContext): boolean {
  const parts = partition(c, ctx);
  if (parts.length < 2) return false;
  const tops = parts.map((part) => ownRanking(part, ctx).hypotheses[0]?.items ?? []);
  const lines = tops.flatMap((items) => (items.length === 1 ? items : []));
  if (lines.length !== parts.length) return false;
  const sameCount = lines.every((l) => Math.abs(l.qty) === Math.abs(lines[0]!.qty));
  return sameCount && new Set(lines.map((l) => l.sku)).size === parts.length;
}

function gramsMap(c: Change): Map<string, number> {
  return new Map([...c.byPlate].map(([id, p]) => [id, p.grams]));
}

/**
 * Splits a phase per plate when every plate with a unit's worth of change is explained by whole units of its own
 * products alone (an item put back across two plates is one change, not two).
 */
function partition(c: Change, ctx: DecideContext): Change[] {
  const { store, cfg } = ctx;
  const index = (id: string) => store.plates.get(id)?.index ?? 0;
  const majors = [...c.byPlate].filter(([id, p]) => {
    const own = ownCandidates(ctx, new Map([[id, p.grams]]), p.grams);
    const unit = own.length > 0 ? lightestUnit(own) : 0;
    return Math.abs(p.grams) >= Math.max(noiseFloor(Math.sqrt(p.variance), cfg), cfg.minUnitFraction * unit);
  });
  if (majors.length < 2) return [c];
  const groups = new Map<string, PlateStep[]>(majors.map(([id]) => [id, []]));
  for (const s of c.steps) {
    let home = majors[0]![0];
    for (const [id, p] of majors) {
      const d = Math.abs(index(id) - index(s.plateId));
      const dh = Math.abs(index(home) - index(s.plateId));
      if (d < dh || (d === dh && Math.abs(p.grams) > Math.abs(c.byPlate.get(home)!.grams))) home = id;
    }
    groups.get(home)!.push(s);
  }
  const parts = [...groups.values()].map(change);
  const readings = parts.map((part) => ownRanking(part, ctx));
  if (!readings.every((r) => r.bestZ <= 2)) return [c];
  return separateGrabs(c, readings, ctx) ? parts : [c];
}

/**
 * Two or more grabs at neighbouring plates at once, or one item resting across them? Light products explain almost
 * any share as some number of units, so each reading is weighed: the parts' grams, each on its own, against the
 * whole's, where how the whole fell across the k plates is uniform (density (k−1)! / |grams|^(k−1)).
 */
function separateGrabs(c: Change, parts: readonly Ranking[], ctx: DecideContext): boolean {
  const k = parts.length;
  let logFactorial = 0;
  for (let i = 2; i < k; i++) logFactorial += Math.log(i);
  const whole = ownRanking(c, ctx).logEvidence + logFactorial - (k - 1) * Math.log(Math.abs(c.grams));
  const apart = parts.reduce((sum, part) => sum + part.logEvidence, (k - 1) * Math.log(ctx.cfg.neighbourGrabsOdds));
  return apart > whole;
}

function flagsFor(c: Change, plateIds: string[], ctx: DecideContext): ShelfEventFlag[] {
  const flags: ShelfEventFlag[] = [];
  if (plateIds.length > 1) flags.push('split-plates');
  const from = Math.min(...c.steps.map((s) => s.tStart)) - ctx.cfg.settleMs;
  const to = Math.max(...c.steps.map((s) => s.tEnd));
  let gap = Math.max(...c.steps.map((s) => s.gapMs));
  // Weight may also have landed on a neighbour that was not reporting.
  for (const id of plateIds) {
    for (const n of ctx.store.plates.get(id)?.neighbours ?? []) gap = Math.max(gap, ctx.gapWithin(n, from, to));
  }
  if (gap >= ctx.cfg.silenceMs) flags.push('silent-plate');
  else if (gap > 0) flags.push('lost-batches');
  return flags;
}

function toEvent(c: Change, t: number, ctx: DecideContext): ShelfEvent | null {
  const { store, cfg } = ctx;
  const byPlate = gramsMap(c);
  const cands = candidatesFor(store, ctx.stock, byPlate, c.grams, cfg);
  const lightest = cands.length > 0 ? lightestUnit(cands) : 0;
  if (Math.abs(c.grams) < cfg.minUnitFraction * lightest) return null;
  const plateIds = [...byPlate.keys()].sort(
    (a, b) => Math.abs(byPlate.get(b)!) - Math.abs(byPlate.get(a)!) || (a < b ? -1 : 1),
  );
  const first = plateIds[0]!;
  const info = store.plates.get(first)!;
  const tChange = Math.round(mainStep(c.steps, first, cfg).tChange);
  const ranking = rankHypotheses(c.grams, c.sigma, cands, cfg);
  return {
    id: `${first}@${tChange}`,
    fixtureId: info.fixture.id,
    shelfId: info.shelf.id,
    plateIds,
    gramsByPlate: Object.fromEntries(plateIds.map((id) => [id, round2(byPlate.get(id)!)])),
    grams: round2(c.grams),
    sigmaGrams: round2(c.sigma),
    tStart: Math.round(Math.min(...c.steps.map((s) => s.tStart))),
    tChange,
    tSettled: Math.round(Math.max(...c.steps.map((s) => s.tSettled))),
    tDecided: Math.round(t),
    hypotheses: ranking.hypotheses,
    flags: [...flagsFor(c, plateIds, ctx), ...ranking.flags],
  };
}

/**
 * The step that times the event: the largest on the plate that moved most, unless that plate was silent through it
 * (its change time is then only the edge of the silence), when the largest share seen whole on another plate, a
 * quarter of it or more, times it instead.
 */
function mainStep(steps: readonly PlateStep[], first: string, cfg: WeightConfig): PlateStep {
  const largest = (xs: readonly PlateStep[]) => xs.reduce((a, b) => (Math.abs(b.delta) > Math.abs(a.delta) ? b : a));
  const main = largest(steps.filter((s) => s.plateId === first));
  if (main.gapMs < cfg.silenceMs) return main;
  const seen = steps.filter((s) => s.gapMs === 0 && Math.abs(s.delta) >= Math.abs(main.delta) / 4);
  return seen.length > 0 ? largest(seen) : main;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The shelf events in a settled cluster of steps, oldest first. */
export function decideCluster(steps: PlateStep[], t: number, ctx: DecideContext): ShelfEvent[] {
  const parts = meaningful(phases(steps, ctx.cfg).map(change), ctx);
  const events: ShelfEvent[] = [];
  for (const phase of parts) {
    for (const part of partition(phase, ctx)) {
      const e = toEvent(part, t, ctx);
      if (e) events.push(e);
    }
  }
  return events.sort((a, b) => a.tChange - b.tChange || (a.id < b.id ? -1 : 1));
}
