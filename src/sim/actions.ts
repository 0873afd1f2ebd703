/**
 * What a hand does to a plate, and its traces: the stock moves, the load cell sees the press, the weight step
 * (sometimes split with a neighbouring plate) and the settling, and the truth records the interaction.
 */
import { pointInPolygon } from '../store/geometry.ts';
import type { Product, Vec2 } from '../store/schema.ts';
import type { InteractionKind } from './truth.ts';
import type { Person, PlateAction, Stop, Unit, World } from './world.ts';

/** Share of picks and returns where the item rests across two neighbouring plates. */
const SPLIT_P = 0.06;
/** Staff find a dropped item this long (ms) after it fell, and mark where with this error (m, per axis). */
const FOUND_AFTER_MS = [60_000, 480_000] as const;
const FOUND_MARK_SD_M = 0.2;

type PlateStop = Extract<Stop, { kind: 'plate' }>;

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

function visitOf(p: Person): string | null {
  return p.role === 'staff' || p.role === 'tailgater' ? null : p.party.visit;
}

export function stockOf(w: World, plateId: string, sku: string): number {
  return w.stock.get(plateId)?.get(sku) ?? 0;
}

function addStock(w: World, plateId: string, sku: string, n: number): void {
  let m = w.stock.get(plateId);
  if (!m) {
    m = new Map();
    w.stock.set(plateId, m);
  }
  m.set(sku, (m.get(sku) ?? 0) + n);
}

function product(w: World, sku: string): Product {
  const p = w.store.products.get(sku);
  if (!p) throw new Error(`unknown SKU ${sku}`);
  return p;
}

/** Moves `grams` onto (+) or off (−) a plate at `t`, now and then resting partly on a neighbour. */
/**
 * The load moves by `grams`; now and then one unit of it (`unit` grams, same sign) rests across a neighbouring
 * plate, which takes part of that unit's weight. Only one unit can lie across the gap, however many moved.
 */
function weightStep(w: World, plateId: string, grams: number, t: number, unit = grams): void {
  const info = w.store.plates.get(plateId)!;
  const sensor = w.sensors.get(plateId)!;
  const neighbour = info.neighbours.length > 0 && w.rng.chance(SPLIT_P) ? w.rng.pick(info.neighbours) : null;
  const across = neighbour ? unit * (1 - w.rng.uniform(0.55, 0.85)) : 0;
  const dur = w.rng.uniform(120, 260);
  sensor.addStep(t, grams - across, dur);
  sensor.addRing(t + dur, (Math.abs(grams) * 0.04 + 3) * (w.rng.chance(0.5) ? 1 : -1), w.rng.uniform(3, 7));
  if (neighbour) w.sensors.get(neighbour)!.addStep(t, across, dur);
}

/**
 * Applies a reach's effect when the hand enters the plate's volume; the weight moves at `tChange`, while the hand
 * is there. A pick that finds nothing becomes a touch.
 */
export function applyPlateAction(
  w: World,
  p: Person,
  stop: PlateStop,
  tIn: number,
  tChange: number,
  tBack: number,
): void {
  const plateId = stop.reachPlateId ?? stop.plateId;
  const info = w.store.plates.get(plateId)!;
  const sensor = w.sensors.get(plateId)!;
  const rng = w.rng;
  // Hands touching a plate always leave a small trace; some lean on it.
  if (rng.chance(0.2) || stop.action === 'bump') {
    const amp = stop.action === 'bump' ? rng.uniform(150, 600) : rng.uniform(40, 250);
    sensor.addBump(tIn + rng.uniform(0, 300), rng.uniform(300, 900), amp);
  }
  sensor.addRing(tBack, rng.uniform(2, 8), rng.uniform(3, 7));
  const record = (kind: InteractionKind, sku: string | null, qty: number) =>
    w.truth.interaction({ t: tChange, kind, personId: p.id, visit: visitOf(p), plateId, sku, qty });
  // Records the stop's hard cases, except those that turned out not to happen.
  const tag = (except: string[] = []) => {
    for (const c of stop.tags) if (!except.includes(c)) w.truth.hardCase(c, tChange);
  };
  switch (stop.action) {
    case 'pick':
    case 'misplaced-pick': {
      const sku = chooseSku(w, plateId, stop);
      const qty = sku ? Math.min(stop.qty, stockOf(w, plateId, sku)) : 0;
      if (!sku || qty <= 0) {
        record('touch', null, 0);
        return;
      }
      const units = Array.from({ length: qty }, (): Unit => ({ sku, grams: unitGrams(w, product(w, sku)), plateId }));
      p.carry.push(...units);
      addStock(w, plateId, sku, -qty);
      weightStep(w, plateId, -sum(units.map((u) => u.grams)), tChange, -units[0]!.grams);
      const misplaced = !info.plate.skus.includes(sku);
      record(misplaced ? 'misplaced-pick' : 'pick', sku, qty);
      if (qty >= 2) w.truth.hardCase('multi-unit', tChange);
      tag(misplaced ? [] : ['misplaced-pick']);
      return;
    }
    case 'return': {
      const index = findCarried(p, stop.sku);
      if (index < 0) {
        record('touch', null, 0);
        return;
      }
      const [unit] = p.carry.splice(index, 1);
      addStock(w, plateId, unit!.sku, 1);
      weightStep(w, plateId, unit!.grams, tChange);
      const wrong = !info.plate.skus.includes(unit!.sku);
      record(wrong ? 'misplaced-return' : 'return', unit!.sku, -1);
      if (wrong) w.misplaced.push({ t: tChange, plateId, sku: unit!.sku, by: p.id });
      tag(wrong ? ['pick-then-return'] : ['wrong-plate-return']);
      return;
    }
    case 'restock': {
      const fill = info.plate.skus.map((sku, i) => ({ sku, room: info.plate.capacity[i]! - stockOf(w, plateId, sku) }));
      const target = fill.sort((a, b) => b.room - a.room)[0]!;
      const qty = Math.min(target.room, stop.qty);
      if (qty <= 0) {
        record('touch', null, 0);
        return;
      }
      const units = Array.from({ length: qty }, () => unitGrams(w, product(w, target.sku)));
      addStock(w, plateId, target.sku, qty);
      weightStep(w, plateId, sum(units), tChange, units[0]!);
      record('restock', target.sku, -qty);
      tag();
      return;
    }
    case 'bump':
      record('bump', null, 0);
      tag();
      return;
    case 'touch':
      record('touch', null, 0);
      return;
  }
}

/** What a pick takes: the stop's SKU while the plate has it, else another it stocks (a lane found empty). */
export function chooseSku(w: World, plateId: string, stop: PlateStop): string | null {
  if (stop.sku && stockOf(w, plateId, stop.sku) > 0) return stop.sku;
  if (stop.action === 'misplaced-pick') return null;
  const info = w.store.plates.get(plateId)!;
  const stocked = info.plate.skus.filter((sku) => stockOf(w, plateId, sku) > 0);
  return stocked.length > 0 ? w.rng.pick(stocked) : null;
}

function findCarried(p: Person, sku: string | undefined): number {
  for (let i = p.carry.length - 1; i >= 0; i--) if (!sku || p.carry[i]!.sku === sku) return i;
  return -1;
}

/** One real unit's weight: the catalogue mean and spread, never below half the mean. */
export function unitGrams(w: World, p: Product): number {
  return Math.max(p.unitWeight.mean * 0.5, w.rng.gauss(p.unitWeight.mean, p.unitWeight.sd));
}

/** Hands one carried unit (the last picked) to another person. */
export function handOver(w: World, from: Person, to: Person, t: number): boolean {
  const unit = from.carry.pop();
  if (!unit) return false;
  to.carry.push(unit);
  w.truth.interaction({
    t,
    kind: 'handoff',
    personId: from.id,
    visit: visitOf(from),
    plateId: null,
    sku: unit.sku,
    qty: 1,
    toPersonId: to.id,
  });
  w.truth.hardCase('handoff', t);
  return true;
}

/**
 * Drops the last carried unit on the floor: it leaves the person and is never charged. Staff find it minutes later
 * where it fell, a step in front of the person, and report it with the position they mark (±0.2 m).
 */
export function dropOnFloor(w: World, p: Person, t: number, tags: readonly string[]): void {
  const unit = p.carry.pop();
  if (!unit) return;
  const r = w.floorRng;
  const fell: Vec2 = [
    p.x + Math.cos(p.heading) * 0.3 + r.gauss(0, FOUND_MARK_SD_M),
    p.y + Math.sin(p.heading) * 0.3 + r.gauss(0, FOUND_MARK_SD_M),
  ];
  const at: Vec2 = pointInPolygon(fell, w.store.def.floor.outline) ? fell : [p.x, p.y];
  const due = t + r.uniform(FOUND_AFTER_MS[0], FOUND_AFTER_MS[1]);
  const k = w.floor.findIndex((f) => f.due > due);
  w.floor.splice(k === -1 ? w.floor.length : k, 0, { sku: unit.sku, at, due });
  w.truth.interaction({ t, kind: 'drop', personId: p.id, visit: visitOf(p), plateId: null, sku: unit.sku, qty: -1 });
  if (tags.includes('floor-drop')) w.truth.hardCase('floor-drop', t);
}

export type { PlateAction };
