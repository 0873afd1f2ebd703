/**
 * Plans a run before it starts: who arrives when (rush peaks, a cap on people inside), parties and families,
 * staff and tailgaters, each person's agenda of plates with the single-person hard cases woven in, the times of
 * the coordinated cases, and the device faults.
 */
import { sessionIdFor } from '../identity/demo-authorizer.ts';
import type { Vec2 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { gateFrame } from './agents.ts';
import { plateHandPoint } from './geometry.ts';
import { BROWSE_ONLY_P, caseCount, FAMILY_P, MULTI_UNIT_P, type Resolved } from './options.ts';
import type { Rng } from './random.ts';
import type { HardCase } from './truth.ts';
import type { Party, Person, Role, Stop } from './world.ts';

export type ScriptedKind =
  | 'same-plate-race'
  | 'adjacent-plate-race'
  | 'handoff'
  | 'crossing-arms'
  | 'shoulder-to-shoulder';

export interface Plan {
  parties: Party[];
  people: Person[];
  scripted: { t: number; kind: ScriptedKind }[];
  cameraOffline: { cameraId: string; from: number; to: number }[];
  silentPlan: number[];
}

type PlateStop = Extract<Stop, { kind: 'plate' }>;

/**
 * The crowd cap counts a party inside for its expected stay times this: walking round others, waiting at a taken
 * plate, the hard-case stops woven in later and the queue at the exit all make a visit outlast its plan.
 */
const STAY_SLACK = 1.4;

export function planRun(store: Store, o: Resolved, rng: Rng, stock: Map<string, Map<string, number>>): Plan {
  const runMs = o.minutes * 60_000;
  const plates = [...store.plates.values()];
  const area = polygonArea(store.def.floor.outline);
  const cap = Math.max(4, Math.round((area / 8.3) * (o.hard ? 1.4 : 1)));
  const ids = plates.map((p) => p.plate.id);
  const plain = ids.filter((id) => !hasNearEqual(store, id));
  const ctx: Ctx = { store, rng, plates: ids, shelves: plain.length > 0 ? plain : ids, stock, o, runMs, nextPerson: 1 };
  const arrivals = arrivalTimes(o.shoppers, runMs * 0.88, rng, o.hard);
  const parties: Party[] = [];
  const inside: number[] = [];
  const gateFree = new Map<string, number>();
  const entries = store.def.gates.filter((g) => g.kind !== 'exit').map((g) => g.id);
  const exits = store.def.gates.filter((g) => g.kind !== 'entry').map((g) => g.id);
  const familyCount = Math.max(
    caseCount('family-child-pick', o.shoppers, o.rateScale),
    Math.round(o.shoppers * FAMILY_P * (o.hard ? 1.5 : 1)),
  );
  const familyList = pickIndices(rng, o.shoppers, familyCount);
  const families = new Set(familyList);
  // The first families always bring a child, so the child-pick case is there whenever families are.
  const sureChild = new Set(familyList.slice(0, caseCount('family-child-pick', o.shoppers, o.rateScale)));
  arrivals.forEach((t0, i) => {
    let arrive = o.start + t0;
    // Crowd cap: wait outside until someone leaves.
    inside.sort((a, b) => a - b);
    while (inside.length > 0 && inside[0]! <= arrive) inside.shift();
    if (inside.length >= cap) arrive = inside[inside.length - cap]! + 5000;
    const entryGate = rng.pick(entries);
    arrive = Math.max(arrive, gateFree.get(entryGate) ?? 0);
    const dwell = dwellFor(o, rng, o.start + runMs - arrive);
    const size = families.has(i) ? rng.int(2, 4) : 1;
    const party = newParty(
      ctx,
      `acct-${String(i + 1).padStart(4, '0')}`,
      false,
      entryGate,
      rng.pick(exits),
      arrive,
      dwell,
    );
    addMembers(ctx, party, size, sureChild.has(i) || (families.has(i) && rng.chance(0.6)));
    gateFree.set(entryGate, party.scanTs! + 4000);
    inside.push(arrive + STAY_SLACK * Math.max(dwell, ...party.members.map((m) => expectedStayMs(ctx, m))));
    parties.push(party);
  });
  const shoppers = parties.slice();
  addStaff(ctx, parties, entries, exits, gateFree);
  addTailgaters(ctx, parties, shoppers, exits);
  weaveHardCases(ctx, shoppers);
  parties.sort((a, b) => a.arrive - b.arrive);
  const scripted: Plan['scripted'] = [];
  for (const kind of [
    'same-plate-race',
    'adjacent-plate-race',
    'handoff',
    'crossing-arms',
    'shoulder-to-shoulder',
  ] as const) {
    const n = caseCount(kind, o.shoppers, o.rateScale);
    for (let k = 0; k < n; k++) scripted.push({ t: o.start + runMs * rng.uniform(0.15, 0.75), kind });
  }
  scripted.sort((a, b) => a.t - b.t);
  const cameraOffline = [...store.cameras.keys()].length
    ? Array.from({ length: caseCount('camera-offline', o.shoppers, o.rateScale) }, () => {
        const from = o.start + runMs * rng.uniform(0.1, 0.8);
        return {
          cameraId: rng.pick([...store.cameras.keys()]),
          from,
          to: from + Math.min(rng.uniform(30_000, 90_000), runMs * 0.15),
        };
      })
    : [];
  const silentPlan = Array.from({ length: caseCount('silent-plate', o.shoppers, o.rateScale) }, () =>
    Math.round(o.start + runMs * rng.uniform(0.1, 0.8)),
  ).sort((a, b) => a - b);
  return { parties, people: parties.flatMap((p) => p.members), scripted, cameraOffline, silentPlan };
}

interface Ctx {
  store: Store;
  rng: Rng;
  plates: string[];
  /**
   * Plates shoppers pick from on their own: all but look-alike plates (two products within 2 % of each other's
   * weight). Those are reached only by the planned `near-equal-weights` case, so it happens at its documented rate.
   */
  shelves: string[];
  stock: Map<string, Map<string, number>>;
  o: Resolved;
  runMs: number;
  nextPerson: number;
}

/** Arrival offsets (ms) with a morning and an afternoon rush on a steady base, sorted. */
function arrivalTimes(n: number, windowMs: number, rng: Rng, hard: boolean): number[] {
  const bins = 200;
  const peak = hard ? 2.7 : 1.8;
  const weights = Array.from({ length: bins }, (_, b) => {
    const u = (b + 0.5) / bins;
    return 1 + peak * Math.exp(-(((u - 0.25) / 0.07) ** 2)) + peak * 0.65 * Math.exp(-(((u - 0.7) / 0.08) ** 2));
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let r = rng.next() * total;
    let b = 0;
    while (b < bins - 1 && r > weights[b]!) r -= weights[b++]!;
    out.push(((b + rng.next()) / bins) * windowMs);
  }
  return out.sort((a, b) => a - b);
}

/** 5–60 minutes (5 + Exp(3.5)) in an hour-long run, scaled down for shorter runs; never past the end. */
function dwellFor(o: Resolved, rng: Rng, left: number): number {
  const base = Math.min(60, 5 - 3.5 * Math.log(Math.max(rng.next(), 1e-9))) * 60_000;
  const scaled = base * Math.min(1, o.minutes / 60);
  return Math.max(40_000, Math.min(scaled, left - 20_000));
}

function newParty(
  ctx: Ctx,
  account: string,
  staff: boolean,
  entry: string,
  exit: string,
  arrive: number,
  dwell: number,
): Party {
  const scanTs = Math.round(arrive + ctx.rng.uniform(800, 2000));
  return {
    visit: sessionIdFor(entry, scanTs),
    account,
    staff,
    members: [],
    entryGate: entry,
    exitGate: exit,
    arrive,
    scanTs,
    dwell,
  };
}

function newPerson(ctx: Ctx, party: Party, role: Role, child: boolean): Person {
  const { rng } = ctx;
  const id = `p-${String(ctx.nextPerson++).padStart(4, '0')}`;
  const height = child ? rng.uniform(1.05, 1.35) : Math.min(1.95, Math.max(1.5, rng.gauss(1.72, 0.09)));
  const person: Person = {
    id,
    role,
    party,
    child,
    height,
    speed: child ? 0.9 : Math.min(1.5, Math.max(0.8, rng.gauss(1.15, 0.12))),
    x: 0,
    y: 0,
    phase: rng.uniform(0, 6.28),
    state: 'pending',
    ...stillBody(),
  };
  party.members.push(person);
  return person;
}

/** A person's motion state before their first step: no plan, nothing carried, joints at rest. */
export function stillBody() {
  return {
    heading: 0,
    stride: 0,
    agenda: [] as Stop[],
    activity: null,
    carry: [] as Person['carry'],
    leftReach: null,
    rightReach: null,
    enterAt: 0,
    gateFrom: [0, 0] as Vec2,
    gateTo: [0, 0] as Vec2,
    scripted: false,
    blockedMs: 0,
    joints: new Float64Array(51),
    prevJoints: new Float64Array(51),
  };
}

/** Places member `i` behind the gate and times their walk so they cross 1.1 + 0.55·i s after the scan. */
function placeAtGate(ctx: Ctx, p: Person, i: number, crossAfterScan: number): void {
  const gate = ctx.store.gates.get(p.party.entryGate)!;
  const { mid, inward, along } = gateFrame(gate);
  // Family members queue 0.45 m apart with a sideways stagger: close, but never inside each other.
  const back = 0.35 + 0.45 * i;
  const lateral = (i % 2 === 0 ? 1 : -1) * 0.12 * Math.min(i, 2);
  p.x = mid[0] - inward[0] * back + along[0] * lateral;
  p.y = mid[1] - inward[1] * back + along[1] * lateral;
  p.heading = Math.atan2(inward[1], inward[0]);
  p.gateTo = [mid[0] + inward[0] * 1.0 + along[0] * lateral * 2, mid[1] + inward[1] * 1.0 + along[1] * lateral * 2];
  p.enterAt = p.party.scanTs! + crossAfterScan - (back / 1.2) * 1000;
}

function addMembers(ctx: Ctx, party: Party, size: number, withChild: boolean): void {
  for (let i = 0; i < size; i++) {
    const child = withChild && i === size - 1 && i > 0;
    const p = newPerson(ctx, party, i === 0 ? 'shopper' : 'guest', child);
    placeAtGate(ctx, p, i, 1100 + 550 * i + ctx.rng.uniform(0, 150));
    const browseOnly = ctx.rng.chance(BROWSE_ONLY_P) || (i > 0 && ctx.rng.chance(0.4));
    const picks = browseOnly ? 0 : Math.min(15, 1 + Math.floor(-3.2 * Math.log(Math.max(ctx.rng.next(), 1e-9))));
    const affordable = Math.max(1, Math.floor(party.dwell / 12_000));
    p.agenda = shopperAgenda(ctx, p, Math.min(picks, affordable), ctx.rng.int(browseOnly ? 1 : 0, 2), party.dwell);
  }
}

function lowPlates(ctx: Ctx): string[] {
  return ctx.shelves.filter((id) => ctx.store.plates.get(id)!.plate.box.min[2] <= 0.9);
}

function plateStop(ctx: Ctx, plateId: string, action: PlateStop['action'], tags: HardCase[] = []): PlateStop {
  const info = ctx.store.plates.get(plateId)!;
  const sku = ctx.rng.pick(info.plate.skus);
  const qty = action === 'pick' && ctx.rng.chance(MULTI_UNIT_P) ? ctx.rng.int(2, 3) : 1;
  return { kind: 'plate', plateId, action, sku, qty, along: ctx.rng.uniform(0.3, 0.7), tags };
}

/** Picks and touches at random plates, visited in nearest-first order, with browsing pauses filling the dwell. */
function shopperAgenda(ctx: Ctx, p: Person, picks: number, touches: number, dwell: number): Stop[] {
  const pool = p.child ? lowPlates(ctx) : ctx.shelves;
  const stops: PlateStop[] = [];
  for (let k = 0; k < picks; k++) stops.push(plateStop(ctx, ctx.rng.pick(pool), 'pick'));
  for (let k = 0; k < touches; k++) stops.push(plateStop(ctx, ctx.rng.pick(pool), 'touch'));
  return withPauses(ctx, p, nearestFirst(ctx, p.gateTo, stops), dwell);
}

function standOf(ctx: Ctx, s: PlateStop): Vec2 {
  const h = plateHandPoint(ctx.store.plates.get(s.plateId)!, 0.42, 0, s.along);
  return [h[0], h[1]];
}

function nearestFirst(ctx: Ctx, from: Vec2, stops: PlateStop[]): PlateStop[] {
  const left = stops.slice();
  const out: PlateStop[] = [];
  let at = from;
  while (left.length > 0) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    left.forEach((s, i) => {
      const [x, y] = standOf(ctx, s);
      const d = Math.abs(x - at[0]) + Math.abs(y - at[1]);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    const s = left.splice(best, 1)[0]!;
    out.push(s);
    at = standOf(ctx, s);
  }
  return out;
}

function withPauses(ctx: Ctx, p: Person, stops: PlateStop[], dwell: number): Stop[] {
  const est = errandsMs(ctx, p, stops);
  const pause = Math.max(1000, (dwell - est) / (stops.length + 1));
  const out: Stop[] = [{ kind: 'browse', ms: pause * ctx.rng.uniform(0.3, 1) }];
  for (const s of stops) out.push(s, { kind: 'browse', ms: pause * ctx.rng.uniform(0.5, 1.5) });
  return out;
}

/** Rough time for the plate stops alone: walking between them (detours ×1.2), 3.5 s a stop, 15 s in and out. */
function errandsMs(ctx: Ctx, p: Person, stops: readonly PlateStop[]): number {
  let walk = 0;
  let at = p.gateTo;
  for (const s of stops) {
    const st = standOf(ctx, s);
    walk += (Math.abs(st[0] - at[0]) + Math.abs(st[1] - at[1])) * 1.2;
    at = st;
  }
  return (walk / p.speed) * 1000 + stops.length * 3500 + 15_000;
}

/** Expected time inside for a person's whole agenda (errands plus browsing pauses). */
function expectedStayMs(ctx: Ctx, p: Person): number {
  const stops = p.agenda.filter((s): s is PlateStop => s.kind === 'plate');
  let browse = 0;
  for (const s of p.agenda) if (s.kind === 'browse') browse += s.ms;
  return errandsMs(ctx, p, stops) + browse;
}

function addStaff(ctx: Ctx, parties: Party[], entries: string[], exits: string[], gateFree: Map<string, number>): void {
  const n = caseCount('staff-restock', ctx.o.shoppers, ctx.o.rateScale);
  for (let k = 0; k < n; k++) {
    const gate = ctx.rng.pick(entries);
    const arrive = Math.max(ctx.o.start + ctx.runMs * ((k + 0.3) / (n + 0.5)) * 0.8, gateFree.get(gate) ?? 0);
    const dwell = Math.max(40_000, Math.min(ctx.runMs * 0.15, 8 * 60_000));
    const party = newParty(ctx, `staff-${k + 1}`, true, gate, ctx.rng.pick(exits), arrive, dwell);
    gateFree.set(gate, party.scanTs! + 4000);
    const p = newPerson(ctx, party, 'staff', false);
    p.speed = 1.2;
    placeAtGate(ctx, p, 0, 1200);
    const stops = Array.from({ length: ctx.rng.int(3, 5) }, () => ({
      ...plateStop(ctx, ctx.rng.pick(ctx.plates), 'restock', ['staff-restock']),
      qty: ctx.rng.int(3, 8),
    }));
    p.agenda = withPauses(ctx, p, nearestFirst(ctx, p.gateTo, stops), dwell);
    parties.push(party);
  }
}

/** Tailgaters walk in right behind a party through its gate, without scanning; their visit is null. */
function addTailgaters(ctx: Ctx, parties: Party[], shoppers: Party[], exits: string[]): void {
  const n = Math.min(shoppers.length, caseCount('tailgater', ctx.o.shoppers, ctx.o.rateScale));
  for (const i of pickIndices(ctx.rng, shoppers.length, n)) {
    const host = shoppers[i]!;
    const party: Party = {
      ...host,
      visit: null,
      account: 'none',
      staff: false,
      members: [],
      exitGate: ctx.rng.pick(exits),
      scanTs: null,
    };
    const p = newPerson(ctx, party, 'tailgater', false);
    const behind = host.members.length;
    const gate = ctx.store.gates.get(host.entryGate)!;
    const { mid, inward } = gateFrame(gate);
    const back = 0.35 + 0.3 * behind + 0.4;
    p.x = mid[0] - inward[0] * back;
    p.y = mid[1] - inward[1] * back;
    p.heading = Math.atan2(inward[1], inward[0]);
    p.gateTo = [mid[0] + inward[0] * 1.2, mid[1] + inward[1] * 1.2];
    const lastCross = 1100 + 550 * (behind - 1) + 150;
    p.enterAt = host.scanTs! + lastCross + ctx.rng.uniform(1000, 1800) - (back / 1.2) * 1000;
    p.agenda = shopperAgenda(ctx, p, ctx.rng.int(1, 2), 0, host.dwell * 0.5);
    party.members = [p];
    parties.push(party);
  }
}

function pickIndices(rng: Rng, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, Math.min(n, k)).sort((a, b) => a - b);
}

/** Single-person hard cases, placed into agendas of random shoppers. */
function weaveHardCases(ctx: Ctx, shoppers: Party[]): void {
  const { rng, o } = ctx;
  const adults = shoppers.flatMap((p) => p.members).filter((m) => !m.child);
  // Each shopper gets at most one of the cases that work on their first pick, so they do not undo each other.
  const used = new Set<Person>();
  const buyers = () =>
    adults.filter((m) => !used.has(m) && m.agenda.some((s) => s.kind === 'plate' && s.action === 'pick'));
  const count = (k: Parameters<typeof caseCount>[0]) => caseCount(k, o.shoppers, o.rateScale);
  const firstPick = (p: Person) => p.agenda.findIndex((s) => s.kind === 'plate' && s.action === 'pick');
  const insertAfterPick = (p: Person, make: (pick: PlateStop) => Stop[]) => {
    used.add(p);
    const i = firstPick(p);
    if (i < 0) return;
    p.agenda.splice(i + 2, 0, ...make(p.agenda[i] as PlateStop));
  };
  for (const p of sample(rng, buyers(), count('pick-then-return'))) {
    insertAfterPick(p, (pick) => [
      { kind: 'browse', ms: rng.uniform(2000, 8000) },
      { ...pick, action: 'return', qty: 1, tags: ['pick-then-return'] },
    ]);
  }
  // Someone must still be inside to pick the misplaced item up later: use shoppers from the first 60 % of the run.
  const early = () => {
    const list = buyers().filter((m) => m.party.arrive <= o.start + ctx.runMs * 0.6);
    return list.length > 0 ? list : buyers();
  };
  for (const p of sample(rng, early(), count('wrong-plate-return'))) {
    insertAfterPick(p, (pick) => {
      const fixture = ctx.store.plates.get(pick.plateId)!.fixture.id;
      const others = ctx.plates.filter((id) => {
        const info = ctx.store.plates.get(id)!;
        return info.fixture.id !== fixture && !info.plate.skus.includes(pick.sku!);
      });
      return [{ ...plateStop(ctx, rng.pick(others), 'return', ['wrong-plate-return']), sku: pick.sku }];
    });
  }
  const nearEqual = ctx.plates.filter((id) => hasNearEqual(ctx.store, id));
  if (nearEqual.length > 0) {
    for (const p of sample(rng, adults, count('near-equal-weights'))) {
      p.agenda.push(plateStop(ctx, rng.pick(nearEqual), 'pick', ['near-equal-weights']), { kind: 'browse', ms: 2000 });
    }
  }
  const children = shoppers.flatMap((p) => p.members).filter((m) => m.child);
  for (const c of sample(rng, children, Math.max(count('family-child-pick'), Math.ceil(children.length * 0.6)))) {
    c.agenda.unshift(
      { kind: 'browse', ms: 3000 },
      plateStop(ctx, rng.pick(lowPlates(ctx)), 'pick', ['family-child-pick']),
    );
  }
  // Multi-unit picks happen by chance on any pick; make sure a few happen on plates that hold enough.
  const deep = ctx.plates.filter((id) => ctx.store.plates.get(id)!.plate.capacity.every((c) => c >= 4));
  for (const p of sample(rng, adults, Math.max(1, Math.round((o.shoppers * o.rateScale) / 100)))) {
    if (deep.length === 0 || o.shoppers < 20) break;
    p.agenda.push({ ...plateStop(ctx, rng.pick(deep), 'pick'), qty: rng.int(2, 3) }, { kind: 'browse', ms: 2000 });
  }
  for (const p of sample(rng, buyers(), count('floor-drop'))) {
    insertAfterPick(p, () => [{ kind: 'drop', tags: ['floor-drop'] }]);
  }
  for (const p of sample(rng, adults, count('shelf-bump'))) {
    p.agenda.splice(1, 0, plateStop(ctx, rng.pick(ctx.plates), 'bump', ['shelf-bump']));
  }
}

export function hasNearEqual(store: Store, plateId: string): boolean {
  const skus = store.plates.get(plateId)!.plate.skus;
  const means = skus.map((s) => store.products.get(s)!.unitWeight.mean);
  for (let i = 0; i < means.length; i++) {
    for (let j = i + 1; j < means.length; j++) if (Math.abs(means[i]! / means[j]! - 1) <= 0.02) return true;
  }
  return false;
}

function sample<T>(rng: Rng, items: T[], k: number): T[] {
  return pickIndices(rng, items.length, k).map((i) => items[i]!);
}

function polygonArea(poly: readonly Vec2[]): number {
  let s = 0;
  poly.forEach(([x, y], i) => {
    const [nx, ny] = poly[(i + 1) % poly.length]!;
    s += x * ny - nx * y;
  });
  return Math.abs(s) / 2;
}
